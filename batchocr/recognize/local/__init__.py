"""The local engine: offline OCR of itineraries into the service's Name/Value list.

``batchocr.recognize.local.recognizer.recognize`` reads one image; ``LocalBackend`` runs
it in worker processes behind the engine's backend protocol. The OCR models
ship in the optional ``rapidocr-onnxruntime`` dependency (``batchocr[local]``),
imported on first use only.
"""
