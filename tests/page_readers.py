"""Page readers for the worker-pool tests: top-level and light, so spawned workers import
them fast. Each reads a page's bytes as an instruction and misbehaves accordingly."""

from __future__ import annotations

import os
import time

from batchocr.models import NameValue


def scripted(image: bytes) -> list[NameValue]:
    """``crash`` dies like a segfault, ``crash-late`` too after 0.3 s, ``raise`` divides by
    zero, ``blank`` finds nothing, ``slow:…`` takes 1.5 s; anything else is a ticket number."""
    if image == b"crash":
        os._exit(139)
    if image == b"crash-late":
        time.sleep(0.3)
        os._exit(139)
    if image == b"raise":
        return [{"Name": "票价", "Value": str(1 / 0)}]
    if image == b"blank":
        raise LookupError("nothing recognized")
    if image.startswith(b"slow:"):
        time.sleep(1.5)
        image = image.removeprefix(b"slow:")
    return [{"Name": "电子客票号码", "Value": image.decode(), "Row": -1}]


class Unpicklable(Exception):
    """An exception that cannot cross a process boundary: its __init__ needs two arguments."""

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a}{b}")


def raises_unpicklable(image: bytes) -> list[NameValue]:
    """A reader whose exception would break the pool if it were sent back as is."""
    raise Unpicklable("no ", "pickle")


def by_width(image: bytes) -> list[NameValue]:
    """Reads a PNG's width (from its header) as the instruction: 101 divides by zero, 102
    kills the worker, 103 finds nothing; any other width is the ticket 99900000000<width>."""
    width = int.from_bytes(image[16:20], "big")
    if width == 101:
        return [{"Name": "票价", "Value": str(width / 0)}]
    if width == 102:
        os._exit(139)
    if width == 103:
        raise LookupError("nothing recognized")
    return [{"Name": "电子客票号码", "Value": f"99900000000{width}", "Row": -1}]
