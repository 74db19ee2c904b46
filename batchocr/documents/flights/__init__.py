"""The flight table of positioned text → its rows of Name/Value pairs (pure).

::

    table       the reader: the table as its 自/至 marks print it, else by its headers
    cells       which header a word stands under; a flight's band of values
    unmarked    a table whose marks (and maybe headers) went unread
    slip        a one-column slip: each flight a block of labels
"""

from .cells import Blank
from .table import flights

__all__ = ["Blank", "cells", "flights", "slip", "table", "unmarked"]
