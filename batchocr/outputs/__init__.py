"""What a run leaves for people: normalized fields, exports, the report, metrics and the summary.

::

    fields  parse  checks   the Name/Value list → normalized fields and warnings (pure)
    outdir                  the one reader of an OUT: typed records back from its files
    export                  ``batchocr export``: CSV / XLSX tables
    report  review          ``batchocr report``: the text report and the HTML review page
    summary  metrics        the end of a run: summary.json, the screen, the .prom file
"""

__all__ = [
    "checks", "export", "fields", "metrics", "outdir", "parse", "report", "review", "summary",
]  # fmt: skip
