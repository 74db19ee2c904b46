"""Recognition backends: the service client and the offline engine (``local``).

A backend declares what it is (``backend``: a :class:`~batchocr.records.BackendName`) and
what it costs (``paced``, ``billed``); the run never switches on its name.

::

    client   the Juhe protocol over an injected httpx transport (paced, billed)
    local/   the offline engine in worker processes (neither)
"""

__all__ = ["client", "local"]
