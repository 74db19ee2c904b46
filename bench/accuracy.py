"""Accuracy and cost of the local engine on synthetic itineraries it was not tuned on.

    .venv/bin/python bench/accuracy.py [--n 200] [--workers N] [--seed-start 200000]
                                       [--noise clean,light,heavy] [--misses]
                                       [--families [F1,F2,...] | --tuning]

For each noise level, ``--n`` pages (seeds ``seed-start`` … ``seed-start + n - 1``;
even seeds drawn as the paper itinerary, odd ones as the e-invoice) are made by
:mod:`synth`, encoded exactly as ``write_sample`` stores them (PNG, or JPEG
at the sample's quality for ``heavy``) and read by ``batchocr.recognize.local.recognize`` in
``--workers`` spawned processes. Per noise level and layout it reports:

- fields exact: truth pairs whose (Name, Row) we return with the same Value;
  wrong = returned with another value, absent = not returned, extra = returned
  but not printed on the page;
- documents exact: the returned list equals the truth list (order included);
- CPU seconds per page (``time.process_time`` of the worker around ``recognize``:
  one ONNX thread per worker, so this is the cost per page per core) and the
  peak RSS of each worker (``ru_maxrss``; the pages are drawn beforehand, in
  other processes, so this is the engine's memory, as in a ``batchocr run``
  worker, and no drawing competes with the readers for the cores).

Families (issue 9): with ``--families`` (default: :data:`synth.style.HELD_OUT_FAMILIES`) or
``--tuning`` (:data:`synth.style.TUNING_FAMILIES`), ``--n`` pages of *each* family per noise
level are drawn by :func:`synth.variety.generate_family` instead, and the report adds, per
noise level, a table of each truth Name by family: exact / absent / wrong.

Seeds: the extractor was tuned on seeds 1–99 (the committed samples are seeds
1–6). A first benchmark run on seeds 100000–100199 was reported as it came out,
and its misses were then studied and fixed, so that range is tuning data too.
The default, seeds 200000–200199, was first read by the run that
docs/accuracy.md reports first; 300000+, 310000+, 400000+, 500000+ and 600000+
were each first read by a later run it reports (500000–500039 then served to
profile), 700000+ and 800000+ by memory and cost checks, 900000+ by the latest
run it reports, 1000000–1000005 by its family runs, 1100000 and up during and after the
full-page reader's work (docs/accuracy.md's seed table says which were looked at, and from
which ``--seed-start`` no seed was read yet: pick that for a sample nobody has looked at).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from batchocr.outputs.fields import normalize
from synth import LAYOUTS, NOISES, generate
from synth.variety import FAMILIES, HELD_OUT_FAMILIES, TUNING_FAMILIES, generate_family

TUNING_SEEDS = (range(1, 100), range(100_000, 100_200))
DEFAULT_SEED_START = 200_000


def sample_bytes(seed: int, layout: str, noise: str) -> tuple[bytes, list[dict[str, Any]]]:
    """The image file ``write_sample`` would write, and its truth ``data``; ``layout`` may
    be a family of synth.variety (einvoice-real is both, drawn the same either way)."""
    s = (generate_family if layout in FAMILIES else generate)(seed, layout, noise)
    buf = io.BytesIO()
    if s.jpeg_quality is None:
        s.image.save(buf, "PNG")
    else:
        s.image.save(buf, "JPEG", quality=s.jpeg_quality, optimize=True)
    return buf.getvalue(), s.truth["data"]


def _warm() -> None:
    from batchocr.recognize.local.recognizer import warm_up

    warm_up()


def run_one(job: tuple[int, str, str, bytes, list[dict[str, Any]]]) -> dict[str, Any]:
    """In a worker: recognize one page, measure CPU and memory (the page is made by the parent)."""
    from batchocr.recognize.local.recognizer import recognize

    seed, layout, noise, image, truth = job
    t0 = time.process_time()
    try:
        got = recognize(image)
    except LookupError:
        got = []
    cpu = time.process_time() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seed": seed, "layout": layout, "noise": noise, "got": got, "truth": truth,
            "cpu": cpu, "rss_mb": rss, "pid": os.getpid()}  # fmt: skip


Job = tuple[int, str, str, bytes, list[dict[str, Any]]]


def draw(job: tuple[int, str, str]) -> Job:
    """In a worker: one page, drawn and encoded."""
    seed, layout, noise = job
    return (seed, layout, noise, *sample_bytes(seed, layout, noise))


def jobs(args: argparse.Namespace, pool: ProcessPoolExecutor) -> list[Job]:
    """Every page, drawn before any is read: drawing would otherwise compete for the cores."""
    if args.families:
        plan = [(args.seed_start + i, family, noise) for noise in args.noise.split(",")
                for family in args.families for i in range(args.n)]  # fmt: skip
    else:
        layouts = args.layouts.split(",")
        plan = [(args.seed_start + i, layouts[(args.seed_start + i) % len(layouts)], noise)
                for noise in args.noise.split(",") for i in range(args.n)]  # fmt: skip
    return list(pool.map(draw, plan, chunksize=4))


def flat_fields(data: list[dict[str, Any]]) -> dict[tuple[str, int], Any]:
    """The normalized fields of fields.md a Name/Value list holds: ``(key, flight or -1)``."""
    fields, _ = normalize(data)
    out: dict[tuple[str, int], Any] = {
        (k, -1): v for k, v in fields.items() if k not in ("segments", "extra") and v is not None
    }
    for i, segment in enumerate(fields["segments"]):
        out |= {(k, i): v for k, v in segment.items() if v is not None}
    return out


def _triples(data: list[dict[str, Any]]) -> list[tuple[Any, Any, Any]]:
    """The entries on (Name, Value, Row): the engine adds a Confidence the truth lacks."""
    return [(d["Name"], d["Value"], d.get("Row")) for d in data]


@dataclass
class Tally:
    fields: int = 0
    exact: int = 0
    wrong: int = 0
    absent: int = 0
    extra: int = 0
    docs: int = 0
    docs_exact: int = 0
    cpu: list[float] = field(default_factory=list)
    misses: Counter[str] = field(default_factory=Counter)
    # Name → Counter of "fields", "exact", "absent", "wrong"
    names: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, r: dict[str, Any], by_fields: bool = True) -> list[str]:
        if by_fields:
            want, got = flat_fields(r["truth"]), flat_fields(r["got"])
        else:
            want = {(d["Name"], d["Row"]): d["Value"] for d in r["truth"]}
            got = {(d["Name"], d["Row"]): d["Value"] for d in r["got"]}
        notes = []
        for key, value in want.items():
            self.fields += 1
            self.names[key[0]]["fields"] += 1
            if got.get(key) == value:
                self.exact += 1
                self.names[key[0]]["exact"] += 1
                continue
            self.misses[key[0]] += 1
            self.names[key[0]]["wrong" if key in got else "absent"] += 1
            if key in got:
                self.wrong += 1
                notes.append(f"{key[0]}[{key[1]}] wrong: {got[key]!r} for {value!r}")
            else:
                self.absent += 1
                notes.append(f"{key[0]}[{key[1]}] absent ({value!r})")
        for key in got.keys() - want.keys():
            self.extra += 1
            notes.append(f"{key[0]}[{key[1]}] extra: {got[key]!r}")
        self.docs += 1
        self.docs_exact += (
            want == got if by_fields else _triples(r["got"]) == _triples(r["truth"])
        )
        self.cpu.append(r["cpu"])
        return notes


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f}%" if b else "-"


def report(tallies: dict[tuple[str, str], Tally], rss: dict[int, float]) -> str:
    rows = ["| noise | layout or family | pages | fields exact | wrong | absent | extra "
            "| documents exact "
            "| CPU s/page (mean, p95) |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for noise in NOISES:
        group = [(k, t) for k, t in sorted(tallies.items()) if k[0] == noise]
        if not group:
            continue
        total = Tally()
        for key, t in [*group, ((noise, "all"), None)]:
            if t is None:
                t = total
            else:
                for name in ("fields", "exact", "wrong", "absent", "extra", "docs", "docs_exact"):
                    setattr(total, name, getattr(total, name) + getattr(t, name))
                total.cpu += t.cpu
                total.misses += t.misses
            cpu = sorted(t.cpu)
            p95 = cpu[min(len(cpu) - 1, int(0.95 * len(cpu)))] if cpu else 0.0
            mean = statistics.mean(cpu) if cpu else 0.0
            fields = f"{_pct(t.exact, t.fields)} ({t.exact}/{t.fields})"
            docs = f"{_pct(t.docs_exact, t.docs)} ({t.docs_exact}/{t.docs})"
            rows.append(
                f"| {key[0]} | {key[1]} | {t.docs} | {fields} | {t.wrong} | {t.absent} | {t.extra}"
                f" | {docs} | {mean:.2f}, {p95:.2f} |"
            )
    rows.append("")
    rows.append(f"Peak RSS per worker: {', '.join(f'{v:.0f} MB' for v in sorted(rss.values()))}")
    return "\n".join(rows)


def field_report(tallies: dict[tuple[str, str], Tally]) -> str:
    """Per noise level: each truth Name (rows) by family (columns), as
    ``exact/fields`` then ``a`` absent and ``w`` wrong when not zero."""
    out = []
    for noise in NOISES:
        groups = sorted(k[1] for k in tallies if k[0] == noise)
        if not groups:
            continue
        names = sorted({n for g in groups for n in tallies[(noise, g)].names})
        head = f"Fields by family, {noise}: exact/fields, a = absent, w = wrong"
        out += [head, "", f"| Name | {' | '.join(groups)} |", "|---" * (len(groups) + 1) + "|"]
        for name in names:
            cells = []
            for g in groups:
                c = tallies[(noise, g)].names.get(name)
                if not c:
                    cells.append("")
                    continue
                miss = "".join(f" {k[0]}{c[k]}" for k in ("absent", "wrong") if c[k])
                cells.append(f"{c['exact']}/{c['fields']}{miss}")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def _families(text: str) -> list[str]:
    names = [f for f in text.split(",") if f]
    unknown = [f for f in names if f not in FAMILIES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown families {unknown}; known: {FAMILIES}")
    return names


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=200, help="pages per noise level (default 200)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed-start", type=int, default=DEFAULT_SEED_START)
    p.add_argument("--noise", default=",".join(NOISES), help="comma-separated noise levels")
    p.add_argument("--misses", action="store_true", help="print every miss")
    p.add_argument("--layouts", default=",".join(LAYOUTS),
                   help="comma-separated layouts drawn in turn by seed (default: paper,einvoice;"
                   " einvoice-real is the published e-invoice form, no tuning saw it)")
    p.add_argument("--by", choices=("fields", "raw"), default="fields",
                   help="compare the normalized fields of fields.md (default), or the raw"
                   " Name/Value entries (the measure of the earlier runs in docs/accuracy.md)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--families", nargs="?", type=_families, const=list(HELD_OUT_FAMILIES),
                       metavar="F1,F2", help="draw these synth.variety families (when "
                       f"given alone: the held-out {','.join(HELD_OUT_FAMILIES)})")  # fmt: skip
    which.add_argument("--tuning", action="store_const", dest="families",
                       const=list(TUNING_FAMILIES), help="draw the tuning families")  # fmt: skip
    args = p.parse_args(argv)
    if any(args.seed_start in seeds for seeds in TUNING_SEEDS):
        print(f"note: seed {args.seed_start} is a tuning seed", file=sys.stderr)
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    rss: dict[int, float] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=ctx) as drawers:
        pages = jobs(args, drawers)
    started = time.monotonic()
    with ProcessPoolExecutor(args.workers, mp_context=ctx, initializer=_warm) as pool:
        for r in pool.map(run_one, pages, chunksize=1):
            notes = tallies[(r["noise"], r["layout"])].add(r, args.by == "fields")
            rss[r["pid"]] = max(rss.get(r["pid"], 0.0), r["rss_mb"])
            if args.misses:
                for note in notes:
                    print(f"  {r['layout']}-{r['noise']}-{r['seed']}: {note}", flush=True)
    wall = time.monotonic() - started
    print(report(tallies, rss))
    if args.families:
        print()
        print(field_report(tallies))
    print(f"{len(pages)} pages, {args.workers} workers, {wall:.0f} s wall (drawing excluded)")
    misses = Counter[str]()
    for t in tallies.values():
        misses += t.misses
    print("Misses by Name:", ", ".join(f"{k} {v}" for k, v in misses.most_common()) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
