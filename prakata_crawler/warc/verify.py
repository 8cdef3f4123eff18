"""Check an archive's WARC files (structure, digests, index coverage) and repair ``.open``
files left by a killed crawl, cutting them back to their last complete record."""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .index import index_files, indexed_records
from .writer import OPEN_SUFFIX

INDEXED_TYPES = {"response", "revisit"}


@dataclass
class Report:
    files: int = 0
    records: int = 0
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)


def complete_length(path: Path) -> int:
    """Bytes of ``path`` made of whole gzip members (each WARC record is one)."""
    data = path.read_bytes()
    end = 0
    while end < len(data):
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            decompressor.decompress(data[end:])
        except zlib.error:
            break
        if not decompressor.eof:
            break
        end = len(data) - len(decompressor.unused_data)
    return end


def repair(path: Path) -> Path:
    """Cut an ``.open`` file back to its last complete record and close it."""
    keep = complete_length(path)
    with open(path, "r+b") as fh:
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    if keep == 0:
        path.unlink()
        return final
    os.replace(path, final)
    return final


def check_file(path: Path, report: Report, indexed: set[tuple[str, int]] | None) -> None:
    report.files += 1
    first = True
    try:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream, check_digests=True)
            for record in records:
                offset = records.get_record_offset()
                rec_type = record.rec_headers.get_header("WARC-Type")
                while record.content_stream().read(1 << 20):
                    pass
                report.records += 1
                where = f"{path.name} offset {offset}"
                if first and rec_type != "warcinfo":
                    report.problems.append(f"{where}: first record is {rec_type}, not warcinfo")
                first = False
                if record.digest_checker.passed is False:
                    report.problems.append(f"{where}: {'; '.join(record.digest_checker.problems)}")
                if indexed is not None and rec_type in INDEXED_TYPES and (
                        path.name, offset) not in indexed:
                    report.problems.append(f"{where}: {rec_type} record missing from the index")
    except (ArchiveLoadFailed, OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        report.problems.append(f"{path.name}: unreadable: {exc}")


def verify(out: Path, *, repair_open: bool = False) -> Report:
    """Verify every WARC under ``<out>/warc`` against itself and ``<out>/indexes``."""
    report = Report()
    warc_dir = out / "warc"
    for path in sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        if repair_open:
            final = repair(path)
            if final.exists():  # index what the killed run could not
                index_files([final], out / "indexes" / (final.name + ".cdxj"))
            report.repaired.append(final.name)
        else:
            report.problems.append(f"{path.name}: still open (a crawl is running or was "
                                   "killed); run with --repair")
    indexed = indexed_records(out / "indexes")
    for path in sorted(warc_dir.glob("*.warc.gz")):
        check_file(path, report, indexed)
    return report
