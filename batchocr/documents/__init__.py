"""Documents: where inputs come from (walk, manifest, stdin) and how each becomes an image.

::

    sources     user inputs → a lazy stream of Items (folders, files, stdin)
    manifest    CSV / JSON-lines manifests, row by row
    naming      ids and reasons shared by the walk and the manifest
    prepare     bytes → a service-ready image, or a one-line InputError
    encode      pixels → PNG or a JPEG that fits the service's limit
    pages       what a document file holds, page by page; its kind from its bytes
    read        PDF, OFD or XML bytes → their pages, lazily
    pdf  ofd  xbrl   the three e-invoice file readers
    positioned  positioned text of an e-invoice page → the Name/Value list
    words  flights   its words and labels; its flight table (a package: the ways of printing one)
    qr          the e-invoice's QR code
"""

__all__ = [
    "encode", "flights", "manifest", "naming", "ofd", "pages", "pdf", "positioned", "prepare",
    "qr", "read", "sources", "words", "xbrl",
]  # fmt: skip
