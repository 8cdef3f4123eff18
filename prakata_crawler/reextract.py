"""Rebuild items from the archive, with no network: the same ``extract()`` over the
archived responses, the same schema check and de-duplication as the live pipelines.

This is how a better extractor is applied to years of archive.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from .extract import extract
from .items import validation_errors
from .urls import WHATSAPP_HOSTS


def _decode_body(body: bytes, encoding: str | None) -> bytes:
    """The entity body as the crawler saw it after HttpCompressionMiddleware."""
    encoding = (encoding or "").strip().lower()
    if encoding in {"gzip", "x-gzip"}:
        return gzip.decompress(body)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    return body


def archived_items(warc_dir: Path) -> Iterator[dict]:
    """Items extracted from every 200 response in ``warc_dir``, in capture order."""
    seen: set[str] = set()
    channel_hosts = set(WHATSAPP_HOSTS)
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "warcinfo":
                    fields = record.content_stream().read().decode("utf-8", "replace")
                    for line in fields.splitlines():
                        name, _, value = line.partition(":")
                        if name.strip() == "prakata-channel-hosts":
                            channel_hosts.update(h for h in value.strip().split(",") if h)
                    continue
                if record.rec_type != "response" or record.http_headers.get_statuscode() != "200":
                    continue
                headers = record.http_headers
                body = _decode_body(record.raw_stream.read(),
                                    headers.get_header("Content-Encoding"))
                date = record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")
                item = extract(body, record.rec_headers.get_header("WARC-Target-URI"),
                               fetched_at=datetime.fromisoformat(date),
                               channel_hosts=channel_hosts,
                               content_type=headers.get_header("Content-Type"))
                if item["type"] == "rejected" or validation_errors(item):
                    continue
                key = item.get("canonical_url") or item.get("channel_id")
                if key in seen:
                    continue
                seen.add(key)
                yield item


def reextract(out: Path, target: Path) -> int:
    """Write the archive's items to ``target`` as JSON Lines; return how many."""
    count = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as fh:
        for item in archived_items(out / "warc"):
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            count += 1
    return count
