"""Package the archive as a WACZ (for ReplayWeb.page) with webrecorder's ``wacz`` tool.

``wacz`` installs next to pywb in ``.venv-replay`` (it shares pywb's indexer stack), so it
runs as a separate program like pywb does.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .replay import replay_venv


def pack(warcs: list[Path], pages: Iterable[dict], target: Path) -> None:
    """Write ``target`` from ``warcs`` with ``pages`` (``url``, ``title``, ``ts``) listed
    as the WACZ's pages, then validate it; raises CalledProcessError on failure."""
    binary = replay_venv() / "bin" / "wacz"
    if not binary.exists():
        raise FileNotFoundError(f"wacz is not installed in {replay_venv()}: run `./run pack`")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pages_file = Path(tmp) / "pages.jsonl"
        with open(pages_file, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"format": "json-pages-1.0", "id": "pages",
                                 "title": "All Pages"}) + "\n")
            for page in pages:
                fh.write(json.dumps(page, ensure_ascii=False) + "\n")
        try:
            subprocess.run([str(binary), "create", "-o", str(target), "-p", str(pages_file),
                            *map(str, warcs)], check=True, capture_output=True, text=True)
            subprocess.run([str(binary), "validate", "-f", str(target)], check=True,
                           capture_output=True, text=True)
        except subprocess.CalledProcessError:
            target.unlink(missing_ok=True)  # never leave a half-made package behind
            raise
