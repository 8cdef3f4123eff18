"""The crawl state store: what the archive's items already say, so a re-crawl emits only
what is new or changed.

Embedded SQLite in ``<out>/state.sqlite`` (no server to run). An item's fingerprint covers
its extracted content, never the page bytes: the real site puts a fresh CSRF token in
every response, so bytes always differ while the article does not.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,          -- canonical URL of an article, channel ID of a channel
    fingerprint TEXT NOT NULL,     -- items.fingerprint() of the last emitted version
    version INTEGER NOT NULL,      -- its version number
    run_id TEXT NOT NULL,          -- the run that emitted it
    emitted_at TEXT NOT NULL
)
"""


class StateStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)
        self.db.commit()

    def last_version(self, key: str) -> tuple[str, int] | None:
        """``(fingerprint, version)`` of the last emitted version of an item."""
        return self.db.execute("SELECT fingerprint, version FROM items WHERE key = ?",
                               (key,)).fetchone()

    def emitted(self, key: str, fingerprint: str, version: int, run_id: str,
                when: str) -> None:
        """Record an item once it is written out (so a kill before that loses nothing)."""
        self.db.execute(
            "INSERT INTO items VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "fingerprint = excluded.fingerprint, version = excluded.version, "
            "run_id = excluded.run_id, emitted_at = excluded.emitted_at",
            (key, fingerprint, version, run_id, when))
        self.db.commit()

    def close(self) -> None:
        self.db.close()
