"""Check an archive's WARC files (gzip members, record structure, digests, index coverage
both ways) and repair ``.open`` files left by a killed crawl, cutting them back to their
last complete record."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .index import entries, index_files, index_path, partial_path
from .writer import OPEN_SUFFIX

INDEXED_TYPES = {"response", "revisit"}
CHUNK = 1 << 20


class BadMember(Exception):
    """A gzip member that does not decompress or fails its CRC, at ``offset``."""

    def __init__(self, offset: int, message: str):
        super().__init__(f"offset {offset}: {message}")
        self.offset = offset


@dataclass
class Report:
    files: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)


def members(path: Path) -> Iterator[int]:
    """Offsets of the complete gzip members of ``path`` (one WARC record each), streamed:
    each is decompressed and its CRC checked. Raises :class:`BadMember` at the first bad
    or incomplete one."""
    with open(path, "rb") as fh:
        offset = 0
        pending = b""
        while True:
            if not pending:
                pending = fh.read(CHUNK)
                if not pending:
                    return
            start = offset
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            while not decompressor.eof:
                try:
                    decompressor.decompress(pending, CHUNK)
                    while decompressor.unconsumed_tail and not decompressor.eof:
                        decompressor.decompress(decompressor.unconsumed_tail, CHUNK)
                except zlib.error as exc:
                    raise BadMember(start, f"corrupt gzip member: {exc}") from exc
                if decompressor.eof:
                    used = len(pending) - len(decompressor.unused_data)
                    offset += used
                    pending = decompressor.unused_data
                    break
                offset += len(pending)
                pending = fh.read(CHUNK)
                if not pending:
                    raise BadMember(start, "incomplete gzip member (file cut short)")
            yield start


def repair(path: Path, index_dir: Path) -> Path:
    """Cut an ``.open`` file back to its last complete record, close and index it."""
    keep = 0
    try:
        for start in members(path):
            keep = start
        keep = path.stat().st_size
    except BadMember as exc:
        keep = exc.offset
    with open(path, "r+b") as fh:
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    if keep == 0:
        path.unlink()
        partial_path(index_dir, final.name).unlink(missing_ok=True)
        return final
    os.replace(path, final)
    reindex(final, index_dir)
    return final


def reindex(path: Path, index_dir: Path) -> None:
    """Index ``path`` from its records, in place of the lines a killed crawl had written."""
    index_files([path], index_path(index_dir, path.name))
    partial_path(index_dir, path.name).unlink(missing_ok=True)


def check_file(path: Path, report: Report, indexed: set[tuple[str, int]]) -> None:
    report.files += 1
    try:
        offsets = list(members(path))
    except BadMember as exc:
        report.problems.append(f"{path.name} {exc}")
        return
    seen = []
    try:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream, check_digests=True)
            for record in records:
                offset = records.get_record_offset()
                seen.append(offset)
                rec_type = record.rec_headers.get_header("WARC-Type")
                while record.raw_stream.read(CHUNK):  # as stored: never inflate a gzip bomb
                    pass
                report.records += 1
                where = f"{path.name} offset {offset}"
                if len(seen) == 1 and rec_type != "warcinfo":
                    report.problems.append(f"{where}: first record is {rec_type}, not warcinfo")
                if record.digest_checker.passed is False:
                    report.problems.append(f"{where}: {'; '.join(record.digest_checker.problems)}")
                if rec_type in INDEXED_TYPES and (path.name, offset) not in indexed:
                    report.problems.append(f"{where}: {rec_type} record missing from the index")
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        report.problems.append(f"{path.name}: unreadable record: {exc}")
        return
    if seen != offsets:
        report.problems.append(f"{path.name}: {len(offsets)} gzip members but {len(seen)} "
                               "records read (a member holds no WARC record or several)")


def verify(out: Path, *, repair_open: bool = False) -> Report:
    """Verify every WARC under ``<out>/warc`` against itself and ``<out>/indexes``."""
    report = Report()
    warc_dir, index_dir = out / "warc", out / "indexes"
    for path in sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        if repair_open:
            report.repaired.append(repair(path, index_dir).name)
        else:
            report.problems.append(f"{path.name}: still open (a crawl is running or was "
                                   "killed); run with --repair")
    files = sorted(warc_dir.glob("*.warc.gz"))
    if repair_open:  # a killed crawl may also have closed files it did not index yet
        indexed_files = {fields["filename"] for _, fields in entries(index_dir)}
        for path in files:
            if path.name not in indexed_files:
                reindex(path, index_dir)
                report.repaired.append(f"{path.name} (indexed)")
    indexed = {(f["filename"], int(f["offset"])) for _, f in entries(index_dir)}
    for path in files:
        check_file(path, report, indexed)
    names = {p.name for p in files}
    for filename, offset in sorted(indexed):
        if filename not in names:
            report.problems.append(f"index points at {filename} offset {offset}, which is "
                                   "missing from warc/")
    return report
