"""The service-compatible local endpoint: protocol, recognizers, the ``serve`` command."""
