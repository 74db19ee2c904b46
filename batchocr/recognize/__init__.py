"""Recognition backends: the service client and the offline engine (``local``)."""
