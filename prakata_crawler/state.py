"""The crawl state store: what the archive's items and fetches already say, so a re-crawl
fetches only what may be new or changed and emits only what is.

Embedded SQLite in ``<out>/state.sqlite`` (no server to run). An item's fingerprint covers
its extracted content, never the page bytes: the real site puts a fresh CSRF token in
every response, so bytes always differ while the article does not.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,          -- canonical URL of an article, channel ID of a channel
    fingerprint TEXT NOT NULL,     -- items.fingerprint() of the last emitted version
    version INTEGER NOT NULL,      -- its version number
    run_id TEXT NOT NULL,          -- the run that emitted it
    emitted_at TEXT NOT NULL,
    url TEXT                       -- the URL it was extracted from
);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,          -- as requested (canonical form)
    status INTEGER NOT NULL,       -- last HTTP status (301 for a redirected URL)
    etag TEXT,                     -- validators for conditional requests
    last_modified TEXT,
    fetched_at TEXT NOT NULL,
    kind TEXT,                     -- article | whatsapp_channel | page (not an article) |
                                   -- index (robots, sitemap, feed) | requisite
    published TEXT                 -- an article's date_published
);
CREATE TABLE IF NOT EXISTS pending (
    url TEXT PRIMARY KEY           -- scheduled in this job, not yet fully processed
);
"""


@dataclass(frozen=True)
class Seen:
    """What the store knows of a URL."""

    status: int
    etag: str | None
    last_modified: str | None
    fetched_at: str
    kind: str | None
    published: str | None


class StateStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.commit()

    def seen(self, url: str) -> Seen | None:
        row = self.db.execute("SELECT status, etag, last_modified, fetched_at, kind, published "
                              "FROM urls WHERE url = ?", (url,)).fetchone()
        return Seen(*row) if row else None

    def fetched(self, url: str, status: int, etag: str | None, last_modified: str | None,
                when: str) -> None:
        """Record a fetch (a 304 keeps what is known of the page)."""
        self.db.execute(
            "INSERT INTO urls (url, status, etag, last_modified, fetched_at) VALUES "
            "(?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at, "
            "status = CASE WHEN excluded.status = 304 THEN status ELSE excluded.status END, "
            "etag = COALESCE(excluded.etag, etag), "
            "last_modified = COALESCE(excluded.last_modified, last_modified)",
            (url, status, etag, last_modified, when))
        self.db.commit()

    def scheduled(self, url: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO pending VALUES (?)", (url,))
        self.db.commit()

    def processed(self, *urls: str) -> None:
        self.db.executemany("DELETE FROM pending WHERE url = ?", [(u,) for u in urls])
        self.db.commit()

    def pending(self) -> list[str]:
        """URLs a killed job scheduled but never finished: in flight when it died."""
        return [row[0] for row in self.db.execute("SELECT url FROM pending")]

    def forget_pending(self) -> None:
        self.db.execute("DELETE FROM pending")
        self.db.commit()

    def articles_since(self, moment: str) -> list[str]:
        """URLs of articles published at or after ``moment`` (ISO 8601)."""
        return [row[0] for row in self.db.execute(
            "SELECT url FROM urls WHERE kind = 'article' AND published >= ?", (moment,))]

    def classified(self, url: str, kind: str, published: str | None = None) -> None:
        """Record what extraction made of a fetched URL."""
        self.db.execute("UPDATE urls SET kind = ?, published = COALESCE(?, published) "
                        "WHERE url = ?", (kind, published, url))
        self.db.commit()

    def last_version(self, key: str) -> tuple[str, int] | None:
        """``(fingerprint, version)`` of the last emitted version of an item."""
        return self.db.execute("SELECT fingerprint, version FROM items WHERE key = ?",
                               (key,)).fetchone()

    def emitted(self, key: str, fingerprint: str, version: int, run_id: str,
                when: str, url: str) -> None:
        """Record an item once the feed exporter has written it."""
        self.db.execute(
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "fingerprint = excluded.fingerprint, version = excluded.version, "
            "run_id = excluded.run_id, emitted_at = excluded.emitted_at, url = excluded.url",
            (key, fingerprint, version, run_id, when, url))
        self.db.commit()

    def close(self) -> None:
        self.db.close()
