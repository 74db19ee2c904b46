"""A value read, cleaned to its field's form and checked against the rest of the document.
Pure functions of strings and Name/Value lists, shared by both readers.

::

    repair    per-field cleaners: digits, dates, amounts, free text, names
    identity  ID numbers and credit codes: shape, region digits, check characters
    sums      the amounts' arithmetic: the total per document, the VAT equation
    checks    the document's own checks: ticket prefix and flight code ↔ carrier, the sums
"""

__all__ = ["checks", "identity", "repair", "sums"]
