"""What an itinerary prints, as data: its carriers, its cities, its labels in both languages,
and a misread one of them told by the recognizer's own probabilities.

::

    airlines  the carriers: names, codes, ticket prefixes
    places    the cities flown between; the provinces an enterprise name starts with
    labels    the labels in Chinese and English, found past an OCR slip
    phrases   the stock phrases of endorsements and prompts; one read a glyph off mended
    lexicon   a misread label, city or carrier told by the recognizer's probabilities
"""

__all__ = ["airlines", "labels", "lexicon", "phrases", "places"]
