"""WARC 1.1 files: gzip per record, a warcinfo record first, rotation, ``.open`` until closed.

Knows HTTP exchanges and files, never articles. Each record is flushed as soon as it is
written, so a crawl killed mid-run leaves complete records followed by at most one
partial one, which :mod:`prakata_crawler.warc.verify` cuts away.
"""

from __future__ import annotations

import os
import re
import socket
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .index import PartialIndex

OPEN_SUFFIX = ".open"
WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def name_part(text: str) -> str:
    """``text`` as a piece of a file name: runs of anything but letters, digits, ``_`` and
    ``-`` become one ``-``, so no ``/``, ``..`` or NUL from a setting or a host name can
    place a WARC file outside its directory."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


class WarcFileSet:
    """Writes records to ``<dir>/<prefix>-<timestamp>-<serial>-<host>.warc.gz``, rotating
    to a new file (with its own warcinfo) once a file passes ``max_size`` bytes. With an
    ``index_dir``, each file's CDXJ lines are written with its records
    (:class:`~prakata_crawler.warc.index.PartialIndex`)."""

    def __init__(self, directory: str | os.PathLike, prefix: str, info: dict[str, str],
                 max_size: int = 10**9, on_close=None, index_dir: Path | None = None):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = name_part(prefix)
        self.info = info
        self.max_size = max_size
        # called with each closed file's path and its partial index (None without index_dir)
        self.on_close = on_close
        self.index_dir = index_dir
        self._index: PartialIndex | None = None
        self.host = name_part(socket.gethostname().split(".")[0] or "localhost")
        self.serial = 0
        self._file = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self.warcinfo_id: str | None = None

    def _open(self) -> None:
        self.serial += 1
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")[:17]
        name = f"{self.prefix}-{stamp}-{self.serial:05d}-{self.host}.warc.gz"
        self._path = self.directory / (name + OPEN_SUFFIX)
        self._file = open(self._path, "wb")  # noqa: SIM115 - kept open across records
        if self.index_dir is not None:
            self._index = PartialIndex(self.index_dir, name)
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        record = self._writer.create_warcinfo_record(name, dict(self.info))
        self.warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._writer.write_record(record)
        self._file.flush()

    def _ready(self) -> WARCWriter:
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()
        if self._file is None:
            self._open()
        return self._writer

    def write(self, *records) -> None:
        """Write records in one file (a request/response pair stays together)."""
        writer = self._ready()
        for record in records:
            if self.warcinfo_id:
                record.rec_headers.replace_header("WARC-Warcinfo-ID", self.warcinfo_id)
            offset = self._file.tell()
            writer.write_record(record)
            if self._index is not None:
                self._index.add(record, offset, self._file.tell() - offset)
        self._file.flush()

    @property
    def builder(self) -> WARCWriter:
        """A record builder (no file needed to create records)."""
        return self._ready()

    def close(self) -> None:
        """Close the current file and drop its ``.open`` suffix."""
        if self._file is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        os.replace(self._path, final)
        partial = self._index.close() if self._index is not None else None
        self._file = self._writer = self._path = self._index = None
        if self.on_close is not None:
            self.on_close(final, partial)


def http_response_record(builder: WARCWriter, url: str, protocol: str, status: int,
                         reason: str, headers: list[tuple[str, str]], body: bytes,
                         warc_headers: dict[str, str]):
    """A ``response`` record: status line, every header as received, the entity body still
    content-encoded."""
    http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
    return builder.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                      http_headers=http_headers,
                                      warc_headers_dict=warc_headers)


def http_request_record(builder: WARCWriter, url: str, method: str, target: str,
                        headers: list[tuple[str, str]], body: bytes,
                        warc_headers: dict[str, str]):
    """A ``request`` record: the request line with path and query, the headers as sent."""
    http_headers = StatusAndHeaders(f"{method} {target} HTTP/1.1", headers,
                                    is_http_request=True)
    return builder.create_warc_record(url, "request", payload=BytesIO(body), length=len(body),
                                      http_headers=http_headers,
                                      warc_headers_dict=warc_headers)


def metadata_record(builder: WARCWriter, url: str, fields: list[tuple[str, str]],
                    warc_headers: dict[str, str]):
    """A ``metadata`` record in ``application/warc-fields`` form."""
    body = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")
    return builder.create_warc_record(url, "metadata", payload=BytesIO(body), length=len(body),
                                      warc_content_type="application/warc-fields",
                                      warc_headers_dict=warc_headers)


SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def revisit_record(builder: WARCWriter, url: str, protocol: str, status: int, reason: str,
                   headers: list[tuple[str, str]], digest: str, refers_to: tuple[str, str],
                   warc_headers: dict[str, str], not_modified: bool = False):
    """A ``revisit`` record: the response's headers only, pointing at the earlier capture
    (``WARC-Refers-To-Target-URI``/``-Date``, which pywb needs to find it)."""
    http_headers = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
    record = builder.create_revisit_record(url, digest, refers_to[0], refers_to[1],
                                           http_headers=http_headers,
                                           warc_headers_dict=warc_headers)
    if not_modified:
        record.rec_headers.replace_header("WARC-Profile", SERVER_NOT_MODIFIED)
    else:
        record.rec_headers.add_header("WARC-Truncated", "length")
    return record
