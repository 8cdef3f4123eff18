"""Extraction quality on real pages nobody here wrote: our ``extract()`` beside trafilatura
(and readability-lxml), one process, the same pages, each corpus scored by its own metric.

    ./run bench quality [--devsets DIR] [--sample N] [--json FILE] [--pages FILE]

``--devsets`` holds ``readability/`` (mozilla/readability's test pages) and
``trafilatura-eval/`` (trafilatura's evaluation corpus); the README's "Extraction quality"
section says where to get them. Scores follow the corpora's README:

- readability: body bag-of-words F1 (lower-cased ``\\w+`` tokens, multiset overlap) against the
  text of ``expected.html``, mean over pages; title and byline exact after collapsing white
  space, over pages whose metadata has one; published time to the minute;
- trafilatura-eval: over all chunks of all pages, a ``with`` chunk found in the body is a true
  positive (else a false negative), a ``without`` chunk found is a false positive; precision,
  recall and F1 from those counts;
- both: ``empty`` counts pages with no body at all (a rejection is empty), and docs/s is the
  pages over the seconds each extractor spent on them: for ours the whole item (body and
  every field), for trafilatura its default ``extract()`` (the body alone, its metadata is
  read outside the clock), for readability-lxml ``summary()`` and the title.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parents[1]
DEVSETS = ROOT.parent / "shared" / "devsets"
READABILITY_URL = "http://fakehost/test/page.html"  # what readability's own tests use
_WORDS = re.compile(r"\w+")


@dataclass
class Page:
    corpus: str
    name: str
    url: str
    html: bytes
    expected_text: str = ""  # readability: the reference body
    meta: dict = field(default_factory=dict)  # readability: title, byline, publishedTime
    with_chunks: list[str] = field(default_factory=list)  # trafilatura-eval
    without_chunks: list[str] = field(default_factory=list)


@dataclass
class Output:
    body: str = ""
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    note: str | None = None  # why there is no body (our rejection reason)


def collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def load_readability(root: Path) -> list[Page]:
    pages = []
    for folder in sorted(p for p in root.iterdir() if (p / "source.html.gz").is_file()):
        expected = gzip.decompress((folder / "expected.html.gz").read_bytes())
        meta_file = folder / "expected-metadata.json"
        pages.append(Page(
            corpus="readability", name=folder.name, url=READABILITY_URL,
            html=gzip.decompress((folder / "source.html.gz").read_bytes()),
            # expected.html is UTF-8 without a charset declaration: decoded here, since
            # lxml would read undeclared bytes as Latin-1
            expected_text=lxml_html.fromstring(expected.decode("utf-8", "replace")).text_content()
            if expected.strip() else "",
            meta=json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file()
            else {}))
    return pages


def load_trafilatura_eval(root: Path) -> list[Page]:
    data = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, case in sorted(data.items(), key=lambda kv: kv[1]["file"]):
        path = root / "pages" / f"{case['file']}.gz"
        if not path.is_file():
            continue
        pages.append(Page(corpus="trafilatura-eval", name=case["file"], url=url,
                          html=gzip.decompress(path.read_bytes()),
                          with_chunks=case.get("with") or [],
                          without_chunks=case.get("without") or []))
    return pages


LOADERS = {"readability": load_readability, "trafilatura-eval": load_trafilatura_eval}


# --- extractors: (html bytes, url) -> Output --------------------------------------------

def ours() -> Callable[[bytes, str], Output]:
    from prakata_crawler import extract

    def run(html: bytes, url: str) -> Output:
        item = extract(html, url)
        if item.get("type") != "article":
            return Output(note=item.get("reason") or item.get("type"))
        return Output(body=item.get("body") or "", title=item.get("headline"),
                      byline=item.get("byline"), date=item.get("date_published"))
    return run


def trafilatura_default() -> Callable[[bytes, str], Output]:
    """trafilatura as a user calls it: ``extract()`` with default settings. Only that call
    is timed (its fastest way to a body); title, author and date come from
    ``extract_metadata()`` afterwards, untimed."""
    import trafilatura
    from trafilatura.metadata import extract_metadata

    def run(html: bytes, url: str) -> Output:
        return Output(body=trafilatura.extract(html, url=url) or "")

    def metadata(html: bytes, url: str, out: Output) -> None:
        meta = extract_metadata(html, default_url=url)
        out.title, out.byline = getattr(meta, "title", None), getattr(meta, "author", None)
        out.date = getattr(meta, "date", None)

    run.metadata = metadata  # type: ignore[attr-defined]
    return run


def readability_lxml() -> Callable[[bytes, str], Output]:
    from readability import Document

    def run(html: bytes, url: str) -> Output:
        doc = Document(html, url=url)
        summary = doc.summary(html_partial=True)
        body = lxml_html.fromstring(summary).text_content() if summary.strip() else ""
        return Output(body=body, title=doc.short_title())
    return run


EXTRACTORS: dict[str, Callable[[], Callable[[bytes, str], Output]]] = {
    "prakata": ours, "trafilatura": trafilatura_default, "readability-lxml": readability_lxml}


# --- scores ------------------------------------------------------------------------------

def bag_f1(got: str, want: str) -> float:
    got_tokens = Counter(_WORDS.findall(got.lower()))
    want_tokens = Counter(_WORDS.findall(want.lower()))
    common = sum((got_tokens & want_tokens).values())
    if not common:
        return float(not got_tokens and not want_tokens)
    precision = common / sum(got_tokens.values())
    recall = common / sum(want_tokens.values())
    return 2 * precision * recall / (precision + recall)


def _minute(value: str | None) -> datetime | None:
    """A timestamp to the minute, in UTC; a naive one is read as UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(second=0, microsecond=0)


def score_readability(page: Page, out: Output) -> dict:
    row = {"f1": round(bag_f1(out.body, page.expected_text), 4), "empty": not out.body.strip()}
    for key, got in (("title", out.title), ("byline", out.byline)):
        want = collapse(page.meta.get(key))
        if want:
            row[key] = collapse(got) == want
    if page.meta.get("publishedTime"):
        want = _minute(page.meta["publishedTime"])
        row["date"] = want is not None and _minute(out.date) == want
    return row


def score_chunks(page: Page, out: Output) -> dict:
    body = collapse(out.body)
    found_with = [collapse(c) in body for c in page.with_chunks]
    found_without = [collapse(c) in body for c in page.without_chunks]
    return {"tp": sum(found_with), "fn": len(found_with) - sum(found_with),
            "fp": sum(found_without), "tn": len(found_without) - sum(found_without),
            "empty": not body}


SCORERS = {"readability": score_readability, "trafilatura-eval": score_chunks}


def summarize(corpus: str, rows: list[dict], seconds: float) -> dict:
    summary: dict = {"pages": len(rows), "empty": sum(r["empty"] for r in rows),
                     "docs_per_s": round(len(rows) / seconds, 1) if seconds else None}
    if corpus == "readability":
        summary["body_f1"] = round(sum(r["f1"] for r in rows) / max(len(rows), 1), 4)
        for key in ("title", "byline", "date"):
            scored = [r[key] for r in rows if key in r]
            summary[key] = {"exact": sum(scored), "of": len(scored),
                            "rate": round(sum(scored) / len(scored), 3) if scored else None}
    else:
        tp, fn, fp = (sum(r[k] for r in rows) for k in ("tp", "fn", "fp"))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        summary.update(precision=round(precision, 4), recall=round(recall, 4),
                       f1=round(2 * precision * recall / (precision + recall), 4)
                       if precision + recall else 0.0)
    return summary


def evaluate(pages: list[Page], names: list[str]) -> dict:
    """Every extractor over every page; per-corpus summaries and per-page rows."""
    results: dict = {"corpora": {}, "pages": {}}
    runners = {name: EXTRACTORS[name]() for name in names}
    for run in runners.values():  # warm-up: imports, dateparser's locale, caches
        for page in pages[:3]:
            run(page.html, page.url)
    for corpus in dict.fromkeys(p.corpus for p in pages):
        subset = [p for p in pages if p.corpus == corpus]
        results["corpora"][corpus] = {}
        for name, run in runners.items():
            rows, seconds = [], 0.0
            gc.collect()
            for page in subset:
                start = time.perf_counter()
                out = run(page.html, page.url)
                seconds += time.perf_counter() - start
                if hasattr(run, "metadata"):
                    run.metadata(page.html, page.url, out)
                row = SCORERS[corpus](page, out)
                if out.note:
                    row["note"] = out.note
                rows.append(row)
                results["pages"].setdefault(f"{corpus}/{page.name}", {})[name] = row
            results["corpora"][corpus][name] = summarize(corpus, rows, seconds)
    return results


def available(names: list[str]) -> list[str]:
    """The extractors that import here (readability-lxml is optional)."""
    usable = []
    for name in names:
        try:
            EXTRACTORS[name]()
        except ImportError as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
            continue
        usable.append(name)
    return usable


def table(results: dict) -> str:
    lines = []
    for corpus, by_name in results["corpora"].items():
        pages = next(iter(by_name.values()))["pages"]
        if corpus == "readability":
            lines.append(f"\nreadability ({pages} pages)")
            lines.append(f"{'extractor':<18}{'body F1':>9}{'empty':>7}{'title':>13}"
                         f"{'byline':>11}{'date':>9}{'docs/s':>9}")
            for name, s in by_name.items():
                lines.append(
                    f"{name:<18}{s['body_f1']:>9.3f}{s['empty']:>7}"
                    f"{_share(s['title']):>13}{_share(s['byline']):>11}{_share(s['date']):>9}"
                    f"{s['docs_per_s']:>9}")
        else:
            lines.append(f"\ntrafilatura-eval ({pages} pages)")
            lines.append(f"{'extractor':<18}{'F1':>8}{'P':>8}{'R':>8}{'empty':>7}{'docs/s':>9}")
            for name, s in by_name.items():
                lines.append(f"{name:<18}{s['f1']:>8.3f}{s['precision']:>8.3f}"
                             f"{s['recall']:>8.3f}{s['empty']:>7}{s['docs_per_s']:>9}")
    return "\n".join(lines)


def _share(value: dict) -> str:
    return f"{value['exact']}/{value['of']}" if value["of"] else "-"


def sample(pages: list[Page], n: int | None) -> list[Page]:
    """Every k-th page of each corpus, so a sample spreads over the whole corpus."""
    if not n:
        return pages
    chosen = []
    for corpus in dict.fromkeys(p.corpus for p in pages):
        subset = [p for p in pages if p.corpus == corpus]
        step = max(1, len(subset) // n)
        chosen += subset[::step][:n]
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run bench quality",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--devsets", type=Path, default=DEVSETS,
                        help="folder holding readability/ and trafilatura-eval/")
    parser.add_argument("--sample", type=int, help="at most N pages per corpus, spread evenly")
    parser.add_argument("--extractors", default="prakata,trafilatura,readability-lxml")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "quality.json",
                        help="summary, machine and command")
    parser.add_argument("--pages", type=Path, help="also write every page's scores here")
    args = parser.parse_args(argv)
    pages = []
    for corpus, load in LOADERS.items():
        if (args.devsets / corpus).is_dir():
            pages += load(args.devsets / corpus)
    if not pages:
        print(f"no corpus under {args.devsets} (readability/, trafilatura-eval/)",
              file=sys.stderr)
        return 2
    pages = sample(pages, args.sample)
    from .run import machine

    results = evaluate(pages, available(args.extractors.split(",")))
    summary = {"machine": machine(), "command": "./run bench quality " + " ".join(
        argv if argv is not None else sys.argv[1:]), "measured_at": time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "corpora": results["corpora"]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2) + "\n")
    if args.pages:
        args.pages.write_text(json.dumps(results["pages"], indent=1, ensure_ascii=False) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
