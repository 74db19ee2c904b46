"""The fast path: a page registered on a form we know, its values read where the form
prints them. Taken only when the fit is confident and the page's own checks hold.

::

    register       which layout a page is; the map from its pixels to the layout's drawing
    layout         the layouts' labels and lines in canonical coordinates (data)
    printed        the form's own printed boxes, found by geometry and never read
    printed_boxes  their positions (generated)
    extract        boxes → Name/Value/Row list, cleaned and cross-checked
    table          the flight table: rows, columns, a carrier parted from its flight
"""

__all__ = ["extract", "layout", "printed", "printed_boxes", "register", "table"]
