"""The entity body of an archived response, as the crawler saw it.

Decoded (gzip, deflate) by the same functions Scrapy's HttpCompressionMiddleware uses, under
the same ``DOWNLOAD_MAXSIZE``, so a body the live crawl could not have read is not read
here either.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from scrapy.utils._compression import _inflate
from scrapy.utils.gz import gunzip
from warcio.archiveiterator import ArchiveIterator

from ..settings import DOWNLOAD_MAXSIZE


def decode_body(body: bytes, encoding: str | None) -> bytes | None:
    """``body`` under its ``Content-Encoding`` decoded; None for a body the live crawl
    could not have decoded either (a gzip bomb, a corrupt stream), never a memory blow-up."""
    encoding = (encoding or "").strip().lower()
    try:
        if encoding in {"gzip", "x-gzip"}:
            return gunzip(body, max_size=DOWNLOAD_MAXSIZE)
        if encoding == "deflate":
            return _inflate(body, max_size=DOWNLOAD_MAXSIZE)
    except (ValueError, OSError, EOFError, zlib.error):  # max size exceeded is a ValueError
        return None
    return body


def raw_payload_at(path: Path, offset: int) -> bytes:
    """The HTTP payload of the record at ``offset`` of ``path``, still content-encoded."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        return next(iter(ArchiveIterator(stream))).raw_stream.read()


def body_at(path: Path, offset: int) -> bytes | None:
    """The decoded entity body of the response record at ``offset`` of ``path``."""
    return response_at(path, offset)[0]


def response_at(path: Path, offset: int) -> tuple[bytes | None, str | None]:
    """``(decoded entity body, Content-Type)`` of the response record at ``offset``."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        headers = record.http_headers
        return (decode_body(record.raw_stream.read(), headers.get_header("Content-Encoding")),
                headers.get_header("Content-Type"))
