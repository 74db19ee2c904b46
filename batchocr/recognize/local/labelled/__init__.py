"""The checked fallback: a page read in full, its values found by their labels, the table's
structure and their own forms, never by where a drawing puts them.

::

    fullpage  lines → upright words → fields; the entry of this reader
    upright   a line as upright words: marks, stations and labels inside a line parted
    values    each value's form; free text trimmed of labels; what is kept unsure
    misread   labels misread past a slip, named by their value's form or their neighbours
    amounts   an amount row whose labels went unread, named by its order and its sums
    forms     values whose form one field alone has, named without their label
    confirm   numbers nothing checks, kept only when a second reading agrees
"""

__all__ = ["amounts", "confirm", "forms", "fullpage", "misread", "upright", "values"]
