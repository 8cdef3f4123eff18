"""Rebuild items from the archive, with no network: the same ``extract()`` over the
archived responses, then the live checks (schema, one item per canonical URL per run).
Pages a run left out only because of its bounds (``--since/--until``, ``--max-articles``, as
its metadata records say) stay out. Revisit records are resolved to the payload they
point at. Which images the archive holds is what the page's metadata record listed
(``requisite:`` lines), so the rebuilt item says what the live one said; a multi-page
article's other pages are the ones it lists (``article-page:`` lines), joined the same way.

This is how a better extractor is applied to years of archive.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scrapy.exceptions import DropItem
from warcio.archiveiterator import ArchiveIterator

from .extract import extract
from .items import fingerprint, item_key, mark_archived, validation_errors
from .pipelines import dedup_keys, next_version
from .urls import WHATSAPP_HOSTS
from .warc.payload import decode_body, raw_payload_at, response_at

# What a live run decided from its own bounds, not from the page (metadata "reason").
RUN_BOUNDS = ("over --max-articles", "outside --since/--until")


@dataclass
class _Run:
    """One crawl run as its warcinfo describes it, and what re-extraction emitted for it."""

    channel_hosts: set[str] = field(default_factory=lambda: set(WHATSAPP_HOSTS))
    seen: set[str] = field(default_factory=set)

    def admit(self, item: dict, emitted: dict[str, tuple[str, int]]) -> dict | None:
        """The live DedupPipeline (one item per key per run), then VersionPipeline against
        what earlier runs emitted: the item as emitted, or None."""
        keys = dedup_keys(item)
        if self.seen.intersection(keys):
            return None
        self.seen.update(keys)
        key = item_key(item)
        try:
            item = next_version(item, emitted.get(key))
        except DropItem:
            return None
        emitted[key] = (fingerprint(item), item["version"])
        return item


def _fields(text: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in
            (line.partition(":") for line in text.splitlines()) if k.strip()}


@dataclass
class _Notes:
    """What the pages' metadata records say, by the ID of the response they describe."""

    bounded: set[str] = field(default_factory=set)  # left out only by the run's bounds
    requisites: dict[str, dict[str, str]] = field(default_factory=dict)  # URL -> digest
    parts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (URL, digest)
    responses: dict[str, tuple[Path, int]] = field(default_factory=dict)  # digest -> where
    joined: set[str] = field(default_factory=set)  # digests of pages joined into another's

    def pages(self, record_id: str) -> list[tuple[bytes, str, str | None]] | None:
        """The other pages of the multi-page article ``record_id`` is page 1 of, as the
        live run joined them; None when one of them is not in the archive."""
        pages = []
        for url, digest in self.parts.get(record_id, ()):
            where = self.responses.get(digest)
            body, content_type = response_at(*where) if where else (None, None)
            if body is None:
                return None
            pages.append((body, url, content_type))
        return pages


def _notes(paths: list[Path]) -> _Notes:
    notes = _Notes()
    for path in paths:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type == "response":
                    digest = record.rec_headers.get_header("WARC-Payload-Digest")
                    notes.responses.setdefault(digest, (path, records.get_record_offset()))
                if record.rec_type != "metadata":
                    continue
                text = record.content_stream().read().decode("utf-8", "replace")
                page = record.rec_headers.get_header("WARC-Concurrent-To")
                if _fields(text).get("reason", "") in RUN_BOUNDS:
                    notes.bounded.add(page)
                held, pages = {}, []
                for line in text.splitlines():
                    if line.startswith("requisite:"):  # URL KIND OUTCOME DIGEST
                        parts = line.removeprefix("requisite:").split()
                        if len(parts) == 4:
                            held[parts[0]] = parts[3]
                    elif line.startswith("article-page:"):  # URL DIGEST
                        parts = line.removeprefix("article-page:").split()
                        if len(parts) == 2:
                            pages.append((parts[0], parts[1]))
                if held:
                    notes.requisites[page] = held
                if pages:
                    notes.parts[page] = pages
                    notes.joined.update(digest for _, digest in pages)
    return notes


def archived_items(warc_dir: Path) -> Iterator[dict]:
    """Items extracted from every 200 capture in ``warc_dir``, in capture order."""
    paths = sorted(warc_dir.glob("*.warc.gz"))
    notes = _notes(paths)
    originals: dict[str, tuple[Path, int]] = {}  # payload digest -> where its bytes are
    runs: dict[str, _Run] = {}
    run = _Run()
    emitted: dict[str, tuple[str, int]] = {}  # key -> last version's (fingerprint, number)
    for path in paths:
        with open(path, "rb") as stream:
            records = ArchiveIterator(stream)
            for record in records:
                if record.rec_type == "warcinfo":
                    info = _fields(record.content_stream().read().decode("utf-8", "replace"))
                    run = runs.setdefault(info.get("isPartOf", str(path)), _Run())
                    run.channel_hosts.update(
                        h for h in info.get("prakata-channel-hosts", "").split(",") if h)
                    continue
                if record.rec_type not in {"response", "revisit"} or \
                        record.http_headers.get_statuscode() != "200":
                    continue
                digest = record.rec_headers.get_header("WARC-Payload-Digest")
                if record.rec_type == "response":
                    body = record.raw_stream.read()  # before the offset: that reads to the end
                    originals[digest] = (path, records.get_record_offset())
                elif digest in originals:
                    body = raw_payload_at(*originals[digest])
                else:
                    continue  # a revisit whose original is not in this archive
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                if record_id in notes.bounded or digest in notes.joined:
                    continue  # left out by the run's bounds, or part of another page's item
                headers = record.http_headers
                body = decode_body(body, headers.get_header("Content-Encoding"))
                if body is None:
                    continue
                date = record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")
                pages = notes.pages(record_id)
                if pages is None:
                    continue  # a page of it is missing: the live run had it all, or no item
                item = extract(body,
                               record.rec_headers.get_header("WARC-Target-URI"),
                               fetched_at=datetime.fromisoformat(date),
                               channel_hosts=run.channel_hosts,
                               content_type=headers.get_header("Content-Type"),
                               pages=pages)
                held = notes.requisites.get(record_id, {})
                item = mark_archived(item, held.get)  # what the live run's item said
                if item["type"] != "rejected" and not validation_errors(item):
                    item = run.admit(item, emitted)
                    if item is not None:
                        yield item


def reextract(out: Path, target: Path) -> int:
    """Write the archive's items to ``target`` as JSON Lines; return how many."""
    count = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for item in archived_items(out / "warc"):
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(target)
    return count
