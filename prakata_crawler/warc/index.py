"""CDXJ indexes that pywb reads: one sorted ``<run-id>.cdxj`` per run in ``indexes/``.

pywb loads every ``.cdxj`` file of a collection's index directory, so per-run files keep
the index current without rewriting the whole archive's index on each run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cdxj_indexer.main import write_cdx_index


def index_files(warcs: Iterable[Path], output: Path) -> Path:
    """Index closed WARC files into ``output`` (written atomically)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".cdxj.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        write_cdx_index(out, [str(p) for p in warcs], {"sort": True, "post_append": True})
    os.replace(tmp, output)
    return output


def indexed_records(index_dir: Path) -> set[tuple[str, int]]:
    """``(filename, offset)`` of every record the indexes point at."""
    import json

    found = set()
    for path in Path(index_dir).glob("*.cdxj"):
        for line in path.read_text(encoding="utf-8").splitlines():
            _, _, fields = line.split(" ", 2)
            data = json.loads(fields)
            found.add((data["filename"], int(data["offset"])))
    return found
