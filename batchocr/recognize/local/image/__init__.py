"""The page as pixels: the recognizer itself, what is done to a page or a line before it is
read (specks, dot-matrix gaps, a second ink, a stamp, a pen's mark), and the geometry of its boxes.

::

    ocr          RapidOCR (PP-OCRv4 ONNX): detection, recognition, re-reads; loaded once
    orientation  which way up a page lies, told by a few of its longest lines
    crops        a line's pixels before it is read: specks removed, dot-matrix gaps filled
    rules        a line whose first glyph a form's rule cuts, cut again from before the rule
    inks         a page printed in two inks parted into one image per ink
    stamps       a stamp (a seal, a 已报销 mark) lifted off a page by its shape
    marks        a value's line marked in a third ink (a pen's ring) read from its own ink
    geometry     deskew, affine fits (degenerate fits refused), boxes → rectangles
"""

__all__ = ["crops", "geometry", "inks", "marks", "ocr", "orientation", "rules", "stamps"]
