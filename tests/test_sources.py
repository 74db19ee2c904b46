"""Tests for batchocr.documents.sources: directory walk, stdin, manifests, laziness."""

from __future__ import annotations

import io
import itertools
import os
import types
from collections.abc import Iterable
from pathlib import Path

import pytest

from batchocr.documents.sources import (
    DEFAULT_EXTENSIONS,
    Skips,
    check_manifest,
    iter_inputs,
    iter_items,
    iter_manifest,
)
from batchocr.errors import ManifestError
from batchocr.models import InputKind, Item


def touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def ids(items: Iterable[Item]) -> list[str]:
    return [item.id for item in items]


def ok(id_: str, path: Path) -> Item:
    return Item(id=id_, source=str(path), path=path)


def bad(
    id_: str, source: str, problem: str, kind: InputKind = InputKind.MANIFEST_ROW
) -> Item:
    """A problem item; a bad manifest row unless ``kind`` says otherwise."""
    return Item(id=id_, source=source, path=None, problem=problem, kind=kind)


# --- directory walk ----------------------------------------------------------------


def test_walk_is_sorted_depth_first_with_relative_posix_ids(tmp_path: Path) -> None:
    """A directory is walked depth first in name order, ids relative to it with '/'."""
    root = tmp_path / "scans"
    for rel in ["b.png", "a.png", "a/z.jpg", "a/b/c.PNG", "2025/05/a.png"]:
        touch(root / rel)
    items = list(iter_inputs([str(root)]))
    assert ids(items) == ["2025/05/a.png", "a/b/c.PNG", "a/z.jpg", "a.png", "b.png"]
    assert items[0] == ok("2025/05/a.png", root / "2025" / "05" / "a.png")


def test_walk_skips_hidden_files_and_hidden_directories(tmp_path: Path) -> None:
    """Names starting with '.' are skipped, whether files or directories."""
    touch(tmp_path / "a.png")
    touch(tmp_path / ".hidden.png")
    touch(tmp_path / ".git" / "b.png")
    touch(tmp_path / "d" / ".c.png")
    assert ids(iter_inputs([str(tmp_path)])) == ["a.png"]


def test_walk_skips_other_extensions_but_named_files_are_always_yielded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Non-image extensions are skipped in a walk, but a .txt named as INPUT is yielded."""
    monkeypatch.chdir(tmp_path)
    touch(tmp_path / "in" / "notes.txt")
    touch(tmp_path / "in" / "scan.JPEG")
    touch(tmp_path / "in" / "noext")
    items = list(iter_inputs(["in", "./in//notes.txt"]))
    assert items == [
        ok("scan.JPEG", tmp_path / "in" / "scan.JPEG"),
        ok("in/notes.txt", tmp_path / "in" / "notes.txt"),
    ]


def test_walk_takes_documents_and_counts_and_names_what_it_skips(tmp_path: Path) -> None:
    """PDF, OFD and XML are walked like images; every file passed over is counted by reason."""
    for rel in ["a.pdf", "b.OFD", "c.xml", "d.png", "notes.txt", "e.docx", ".DS_Store"]:
        touch(tmp_path / rel)
    touch(tmp_path / ".git" / "x.png")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "out.pdf").symlink_to(touch(tmp_path.parent / "elsewhere.pdf"))
    skips = Skips()
    assert ids(iter_inputs([str(tmp_path)], skips=skips)) == ["a.pdf", "b.OFD", "c.xml", "d.png"]
    assert skips.by_reason == {
        "hidden": 2,
        "not an image or document": 2,
        "directory symlink (not followed)": 1,
        "symlink outside the folder, or broken": 1,
    }
    assert skips.total == 6
    assert skips.examples == [".DS_Store", ".git", "e.docx", "loop", "notes.txt", "out.pdf"]


def test_custom_extensions_are_case_and_dot_insensitive(tmp_path: Path) -> None:
    """An extensions set written as '.PNG' matches 'a.png' and nothing else."""
    touch(tmp_path / "a.png")
    touch(tmp_path / "b.jpg")
    assert ids(iter_inputs([str(tmp_path)], extensions=frozenset({".PNG"}))) == ["a.png"]
    assert "jpg" in DEFAULT_EXTENSIONS


def test_directory_symlink_loop_terminates_and_yields_each_file_once(tmp_path: Path) -> None:
    """A directory symlink to its parent is not followed, so every real file appears once."""
    touch(tmp_path / "a.png")
    touch(tmp_path / "sub" / "b.png")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "inner").symlink_to(tmp_path / "sub", target_is_directory=True)
    assert ids(iter_inputs([str(tmp_path)])) == ["a.png", "sub/b.png"]


def test_file_symlinks_followed_only_inside_the_tree(tmp_path: Path) -> None:
    """An inside file symlink is yielded under its own name; outside and broken ones are not."""
    root = tmp_path / "root"
    real = touch(root / "real.png")
    outside = touch(tmp_path / "outside.png")
    (root / "inside-link.png").symlink_to(real)
    (root / "outside-link.png").symlink_to(outside)
    (root / "broken-link.png").symlink_to(root / "gone.png")
    assert list(iter_inputs([str(root)])) == [
        ok("inside-link.png", root / "inside-link.png"),
        ok("real.png", real),
    ]


def test_input_that_is_a_symlink_to_a_directory_is_walked(tmp_path: Path) -> None:
    """A directory symlink named by the user is followed, its files judged against the target."""
    touch(tmp_path / "data" / "a.png")
    (tmp_path / "data" / "link.png").symlink_to(tmp_path / "data" / "a.png")
    (tmp_path / "alias").symlink_to(tmp_path / "data", target_is_directory=True)
    items = list(iter_inputs([str(tmp_path / "alias")]))
    assert items == [
        ok("a.png", tmp_path / "alias" / "a.png"),
        ok("link.png", tmp_path / "alias" / "link.png"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can list any directory")
def test_unreadable_subdirectory_is_a_problem_item(tmp_path: Path) -> None:
    """A directory that cannot be listed becomes one problem item and the walk goes on."""
    touch(tmp_path / "locked" / "a.png")
    touch(tmp_path / "z.png")
    (tmp_path / "locked").chmod(0)
    try:
        items = list(iter_inputs([str(tmp_path)]))
    finally:
        (tmp_path / "locked").chmod(0o700)
    assert items == [
        bad("locked", str(tmp_path / "locked"), "cannot list directory: permission denied",
            InputKind.FOLDER),
        ok("z.png", tmp_path / "z.png"),
    ]


# --- explicit inputs and stdin ------------------------------------------------------


def test_nonexistent_input_is_a_problem_item_and_the_stream_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing INPUT yields one problem item with the id as given; later inputs still come."""
    monkeypatch.chdir(tmp_path)
    touch(tmp_path / "b.png")
    assert list(iter_inputs(["missing.png", "b.png"])) == [
        bad("missing.png", str(tmp_path / "missing.png"), "no such file or directory",
            InputKind.NOT_FOUND),
        ok("b.png", tmp_path / "b.png"),
    ]


def test_named_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    """A named FIFO is reported instead of being handed on to a reader that would block."""
    os.mkfifo(tmp_path / "pipe.png")
    assert list(iter_inputs([str(tmp_path / "pipe.png")])) == [
        bad(str(tmp_path / "pipe.png"), str(tmp_path / "pipe.png"), "not a regular file",
            InputKind.NOT_A_FILE),
    ]


def test_stdin_paths_are_stripped_and_blank_lines_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'-' reads paths from stdin: blanks skipped, spaces and '\\r' stripped, dirs walked."""
    monkeypatch.chdir(tmp_path)
    touch(tmp_path / "x.txt")
    touch(tmp_path / "d" / "e" / "f.png")
    stdin = io.StringIO("  ./x.txt  \r\n\n   \nd\r\n")
    assert list(iter_inputs(["-"], stdin=stdin)) == [
        ok("x.txt", tmp_path / "x.txt"),
        ok("e/f.png", tmp_path / "d" / "e" / "f.png"),
    ]


# --- CSV manifests ------------------------------------------------------------------


def test_csv_manifest_ids_paths_bom_and_header_case(tmp_path: Path) -> None:
    """A BOM'd CSV with ' Path ','ID' headers resolves relative paths against its folder."""
    folder = tmp_path / "m"
    folder.mkdir()
    manifest = folder / "manifest.csv"
    text = " Path ,ID,note\n./scans/a.png,t-001,x\n\n/abs/b.png,,y\nc.png, 42 ,z\n"
    manifest.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert list(iter_manifest(manifest)) == [
        ok("t-001", folder / "scans" / "a.png"),
        ok("/abs/b.png", Path("/abs/b.png")),
        ok("42", folder / "c.png"),
    ]
    check_manifest(manifest)  # unique ids, bad rows allowed: does not raise


def test_csv_bad_rows_become_problem_items(tmp_path: Path) -> None:
    """Missing path and wrong column count are problem items with exact ids and messages."""
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "id,path\n"
        "a,a.png\n"
        "b,\n"  # line 3: missing path, has an id
        ",c.png,extra\n"  # line 4: extra column, no id
        "d\n"  # line 5: too few columns, has an id
        ",\n"  # line 6: neither
        "e,e.png\n",
        encoding="utf-8",
    )
    m = str(manifest)
    assert list(iter_manifest(manifest)) == [
        ok("a", tmp_path / "a.png"),
        bad("b", f"{m}:3", "line 3: missing path"),
        bad("m.csv:4", f"{m}:4", "line 4: expected 2 columns, found 3"),
        bad("d", f"{m}:5", "line 5: expected 2 columns, found 1"),
        bad("m.csv:6", f"{m}:6", "line 6: missing path"),
        ok("e", tmp_path / "e.png"),
    ]


def test_csv_line_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    """A quoted cell spanning two lines shifts the line number of the next bad row."""
    manifest = tmp_path / "m.csv"
    manifest.write_text('path,note\na.png,"two\nlines"\n,x\n', encoding="utf-8")
    assert list(iter_manifest(manifest))[1] == bad(
        "m.csv:4", f"{manifest}:4", "line 4: missing path"
    )


def test_csv_header_without_path_column_is_a_manifest_error(tmp_path: Path) -> None:
    """A header with no 'path' column raises ManifestError naming the columns it has."""
    manifest = tmp_path / "m.csv"
    manifest.write_text("\nfile , ID\na.png,1\n", encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        check_manifest(manifest)
    assert str(info.value) == "m.csv has no 'path' column (columns: 'file', 'ID')"


# --- JSONL manifests ----------------------------------------------------------------


def test_jsonl_manifest_rows_and_bad_rows(tmp_path: Path) -> None:
    """JSONL: int ids become strings; bad JSON, non-objects, bad paths and ids are problems."""
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        '{"id": 7, "path": "a.png"}\n'
        '{"path": "sub/../b.png"}\n'
        "\n"
        "{not json\n"
        '["a.png"]\n'
        '{"id": "x"}\n'
        '{"id": "y", "path": 3}\n'
        '{"id": true, "path": "c.png"}\n'
        '{"id": "", "path": ""}\n',
        encoding="utf-8",
    )
    m = str(manifest)
    assert list(iter_manifest(manifest)) == [
        ok("7", tmp_path / "a.png"),
        ok("b.png", tmp_path / "b.png"),
        bad(
            "m.jsonl:4",
            f"{m}:4",
            "line 4: invalid JSON (Expecting property name enclosed in double quotes)",
        ),
        bad("m.jsonl:5", f"{m}:5", "line 5: expected a JSON object, found array"),
        bad("x", f"{m}:6", "line 6: missing path"),
        bad("y", f"{m}:7", "line 7: path must be a string, found number"),
        bad("m.jsonl:8", f"{m}:8", "line 8: id must be a string or integer, found boolean"),
        bad("m.jsonl:9", f"{m}:9", "line 9: missing path"),
    ]


def test_jsonl_is_sniffed_from_the_first_non_blank_line(tmp_path: Path) -> None:
    """A manifest not named .csv whose first non-blank line starts with '{' is JSONL."""
    manifest = tmp_path / "list.txt"
    manifest.write_text('\n  {"path": "a.png"}\n', encoding="utf-8")
    assert list(iter_manifest(manifest)) == [ok("a.png", tmp_path / "a.png")]


# --- whole-manifest errors ----------------------------------------------------------


def test_duplicate_ids_are_listed_with_line_numbers(tmp_path: Path) -> None:
    """check_manifest names each duplicated id with all its line numbers, in file order."""
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "id,path\na,1.png\nb,2.png\nc,3.png\na,4.png\n,b\nx,5.png\nz,6.png\nb,7.png\n",
        encoding="utf-8",
    )
    with pytest.raises(ManifestError) as info:
        check_manifest(manifest)
    assert str(info.value) == "duplicate ids in manifest.csv: 'a' (lines 2, 5), 'b' (lines 3, 6, 9)"


def test_duplicate_ids_message_is_capped_at_ten(tmp_path: Path) -> None:
    """With more than ten duplicated ids the message shows ten and counts the rest."""
    manifest = tmp_path / "m.jsonl"
    lines = [f'{{"id": {n % 12}, "path": "{n}.png"}}' for n in range(24)]
    manifest.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        check_manifest(manifest)
    shown = ", ".join(f"'{n}' (lines {n + 1}, {n + 13})" for n in range(10))
    assert str(info.value) == f"duplicate ids in m.jsonl: {shown}, and 2 more"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read manifest {path}: no such file or directory"),
        ("id,path\n1,名.png\n".encode("gbk"), "m.csv is not UTF-8 text (save it as 'CSV UTF-8')"),
        (b"\n  \r\n", "m.csv is empty"),
    ],
)
def test_unusable_manifest_raises_one_line_error(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    """A missing, non-UTF-8 or empty manifest raises ManifestError with a one-line message."""
    manifest = tmp_path / "m.csv"
    if content is not None:
        manifest.write_bytes(content)
    with pytest.raises(ManifestError) as info:
        check_manifest(manifest)
    assert str(info.value) == message.format(path=manifest)


# --- composition and laziness -------------------------------------------------------


def test_iter_items_yields_manifest_rows_before_inputs(tmp_path: Path) -> None:
    """iter_items streams the manifest rows first, then the INPUT arguments."""
    touch(tmp_path / "dir" / "z.png")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path\na.png\n", encoding="utf-8")
    assert ids(iter_items([str(tmp_path / "dir")], manifest)) == ["a.png", "z.png"]
    assert ids(iter_items([str(tmp_path / "dir")], None)) == ["z.png"]


def test_walk_is_lazy_a_later_directory_is_listed_only_when_reached(tmp_path: Path) -> None:
    """Taking the first item does not list later directories: a file added afterwards appears."""
    for n in range(50):
        touch(tmp_path / "a" / f"{n:02}.png")
    (tmp_path / "b").mkdir()
    stream = iter_inputs([str(tmp_path)])
    assert isinstance(stream, types.GeneratorType)
    assert ids(itertools.islice(stream, 1)) == ["a/00.png"]
    touch(tmp_path / "b" / "late.png")
    rest = ids(stream)
    assert (len(rest), rest[-1]) == (50, "b/late.png")


def test_stdin_is_read_one_line_at_a_time(tmp_path: Path) -> None:
    """The first item comes before the rest of stdin has been read."""
    stdin = io.StringIO("".join(f"{tmp_path}/{n}.png\n" for n in range(1000)))
    first = next(iter_inputs(["-"], stdin=stdin))
    assert (first.id, stdin.tell() < 100) == (f"{tmp_path}/0.png", True)
