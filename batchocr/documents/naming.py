"""Ids and reasons for inputs: shared by the directory walk and the manifest reader.

>>> posix_id("./scans//a.png"), problem_item("x", "/x", "empty").problem
('scans/a.png', 'empty')
"""

from __future__ import annotations

import os
from pathlib import PurePath

from ..models import InputKind, Item

__all__ = ["NO_SUCH", "os_kind", "os_reason", "posix_id", "problem_item"]

NO_SUCH = "no such file or directory"


def posix_id(given: str) -> str:
    return PurePath(os.path.normpath(given)).as_posix()


def os_reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return NO_SUCH
    return (e.strerror or str(e)).lower()


def os_kind(e: OSError) -> InputKind:
    """What an operating-system error makes of an input, as data."""
    if isinstance(e, FileNotFoundError):
        return InputKind.NOT_FOUND
    if isinstance(e, PermissionError):
        return InputKind.PERMISSION
    if isinstance(e, IsADirectoryError | NotADirectoryError):
        return InputKind.NOT_A_FILE
    return InputKind.UNUSABLE


def problem_item(
    id_: str, source: str, reason: str, kind: InputKind = InputKind.UNUSABLE
) -> Item:
    return Item(id=id_, source=source, path=None, problem=reason, kind=kind)
