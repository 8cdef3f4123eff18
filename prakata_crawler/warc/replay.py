"""Serve the archive with pywb on 127.0.0.1.

pywb pins old redis/fakeredis/pyOpenSSL and ships brotlipy, which breaks Scrapy's br
decoding, so it lives in its own virtualenv (``.venv-replay``, made by ``./run``) and is
started as a separate process over a generated config that points at our own ``warc/``
and ``indexes/`` folders: nothing is copied.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

COLLECTION = "prakata"
DEFAULT_VENV = Path(__file__).resolve().parents[2] / ".venv-replay"


def replay_venv() -> Path:
    """The virtualenv holding pywb and wacz (``PRAKATA_REPLAY_VENV`` overrides)."""
    return Path(os.environ.get("PRAKATA_REPLAY_VENV", DEFAULT_VENV))


def wayback_binary() -> Path:
    venv = replay_venv()
    binary = venv / "bin" / "wayback"
    if not binary.exists():
        raise FileNotFoundError(f"pywb is not installed in {venv}: run `./run replay` once, "
                                "which creates it")
    return binary


def write_config(out: Path) -> Path:
    """A pywb working directory whose only collection is the archive under ``out``."""
    work = out / ".replay"
    work.mkdir(parents=True, exist_ok=True)
    config = (f"collections:\n  {COLLECTION}:\n"
              f"    index_paths: {(out / 'indexes').resolve()}/\n"
              f"    archive_paths: {(out / 'warc').resolve()}/\n"
              "framed_replay: true\n")
    (work / "config.yaml").write_text(config, encoding="utf-8")
    return work


def start(out: Path, port: int, **popen) -> subprocess.Popen:
    """Start pywb's ``wayback`` for the archive under ``out`` on 127.0.0.1:``port`` (tests
    and scripts; ``prakata replay`` execs it instead)."""
    work = write_config(out)
    return subprocess.Popen([str(wayback_binary()), "-b", "127.0.0.1", "-p", str(port)],
                            cwd=work, **popen)
