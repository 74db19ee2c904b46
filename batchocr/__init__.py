"""batchocr: batch OCR of scanned Chinese flight itineraries into validated JSON lines.

The tree is the pipeline; each package's ``__all__`` lists its modules::

    cli  config            the face: argv and settings (only cli exits)
    models  records        what crosses a boundary; the lines a run writes (typed, frozen)
    errors  codes  exits   the error tree, the one service-code table, the exit codes
    documents/   inputs → images: walk, manifest, preparation, PDF / OFD / XML readers
    run/         one run: engine, control, limiter, pacing, retry, recorder, state, sinks
    recognize/   backends: the service client and the offline engine
    outputs/     normalized fields, export, report, review page, metrics, summary
    server/      the service-compatible local endpoint
"""

__version__ = "0.1.0"

__all__ = [
    "__version__", "cli", "codes", "config", "documents", "errors", "exits", "models",
    "outputs", "recognize", "records", "run", "server",
]  # fmt: skip
