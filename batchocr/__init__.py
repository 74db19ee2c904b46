"""batchocr: batch OCR of scanned Chinese flight itineraries into validated JSON lines."""

__version__ = "0.1.0"
