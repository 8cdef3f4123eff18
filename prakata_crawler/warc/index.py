"""CDXJ indexes that pywb reads: one sorted ``<warc-file>.cdxj`` per closed WARC file.

pywb loads every ``.cdxj`` file of a collection's index directory, so indexing each file as
it closes keeps the index current during a long crawl, and after a killed one. A crawl
writes each record's line as it writes the record (:class:`PartialIndex`, cdxj-indexer's own
field rules) and only sorts them when the file closes: indexing a closed file instead reads
and decompresses it again, about 0.17 CPU-seconds per MB. ``prakata verify --repair`` indexes a
file a killed crawl left with :func:`index_files`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from cdxj_indexer.main import CDXJIndexer, write_cdx_index

PARTIAL_SUFFIX = ".partial"  # unsorted lines of the WARC file being written


def index_files(warcs: Iterable[Path], output: Path) -> Path:
    """Index closed WARC files into ``output`` (written atomically)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".cdxj.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        write_cdx_index(out, [str(p) for p in warcs], {"sort": True, "post_append": True})
    os.replace(tmp, output)
    return output


def index_path(index_dir: Path, warc_name: str) -> Path:
    """Where the index of the WARC file named ``warc_name`` lives."""
    return index_dir / (warc_name + ".cdxj")


def partial_path(index_dir: Path, warc_name: str) -> Path:
    """Where a crawl writes that index's lines, unsorted, while the file is open."""
    return index_dir / (warc_name + ".cdxj" + PARTIAL_SUFFIX)


class PartialIndex:
    """CDXJ lines of the records of one WARC file as they are written, unsorted, in
    :func:`partial_path`; :func:`sort_index` makes the ``.cdxj``."""

    def __init__(self, index_dir: Path, filename: str):
        index_dir.mkdir(parents=True, exist_ok=True)
        self.path = partial_path(index_dir, filename)
        self.filename = filename
        self._file = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - one per WARC
        # what `cdxj-indexer --post-append` reads from a record, given its place in the file
        self._indexer = CDXJIndexer(None, [], post_append=True)
        self._indexer.curr_filename = filename

    def add(self, record, offset: int, length: int) -> None:
        """Index ``record`` (as written: digests set) at ``offset``, ``length`` bytes."""
        if not self._indexer.filter_record(record):
            return
        record.file_offset, record.file_length = offset, length
        self._indexer.process_index_entry(None, record, self.filename, self._file)

    def close(self) -> Path:
        self._file.close()
        return self.path


def sort_index(partial: Path) -> Path:
    """The ``.cdxj`` from a :class:`PartialIndex` file (sorted as cdxj-indexer sorts: by
    line), written atomically beside it; the partial file is removed."""
    output = partial.with_name(partial.name[: -len(PARTIAL_SUFFIX)])
    lines = partial.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.sort()
    tmp = output.with_suffix(".cdxj.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.writelines(lines)
    os.replace(tmp, output)
    partial.unlink()
    return output


def entries(index_dir: Path) -> Iterator[tuple[str, dict]]:
    """``(timestamp, fields)`` of every line of every CDXJ file in ``index_dir``."""
    for path in sorted(Path(index_dir).glob("*.cdxj")):
        for line in path.read_text(encoding="utf-8").splitlines():
            _, timestamp, fields = line.split(" ", 2)
            yield timestamp, json.loads(fields)


class Capture(NamedTuple):
    """Where the archive holds a URL's payload."""

    digest: str  # WARC-Payload-Digest
    date: str  # WARC-Date, ISO 8601 UTC
    filename: str | None = None  # the WARC file, under the archive's warc/
    offset: int | None = None  # of the response record in it


def latest_captures(index_dir: Path) -> dict[str, Capture]:
    """URL -> its newest full 200 capture: what a re-crawl compares against to write a
    revisit instead of the same bytes again, or reuses without asking."""
    latest: dict[str, Capture] = {}
    for timestamp, fields in sorted(entries(index_dir), key=lambda e: e[0]):
        if fields.get("status") == "200" and fields.get("mime") != "warc/revisit" \
                and fields.get("digest"):
            t = timestamp
            date = f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"
            offset = fields.get("offset")
            latest[fields["url"]] = Capture(fields["digest"], date, fields.get("filename"),
                                            int(offset) if offset is not None else None)
    return latest


def main(argv: list[str] | None = None) -> int:
    """``python -m prakata_crawler.warc.index PARTIAL``: what a crawl runs in a child
    process for each WARC file it closes mid-crawl (the lines of a 1 GB file are about
    27 MB, which the crawl's process should not hold)."""
    (partial,) = sys.argv[1:] if argv is None else argv
    sort_index(Path(partial))
    return 0


if __name__ == "__main__":
    sys.exit(main())
