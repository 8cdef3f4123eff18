"""Capture every HTTP exchange of a crawl as WARC request/response records.

A downloader middleware ordered on the wire side of ``HttpCompressionMiddleware`` (590) and
``HttpCacheMiddleware`` (900), so the body and ``Content-Encoding`` are still as received.
Redirects, 404s and every retried attempt pass through it; an attempt that got no complete
response (timeout, reset, size cap) is archived as its request plus a metadata record saying
what went wrong. HTTP-cache hits (flag ``cached``) are old captures and are counted, not
written again with today's date.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import subprocess
import sys
from base64 import b32encode
from collections import OrderedDict
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from .. import __version__
from ..items import FETCHED_AT_KEY
from ..urls import safe_join
from .index import Capture, entries, latest_captures, sort_index
from .writer import (
    WARC_1_1,
    WarcFileSet,
    http_request_record,
    http_response_record,
    metadata_record,
    revisit_record,
)

# This run's captures remembered for revisits: retries come within minutes, and a run
# fetches a URL once otherwise (a run of 100,000 pages would hold them all)
RECENT_CAPTURES = 10_000
WARC_ID_KEY = "prakata_warc_id"
# The payload digest of what the archive holds for the exchange (a revisit: the original's)
WARC_DIGEST_KEY = "prakata_warc_digest"
# Request meta: more ``(name, value)`` lines for the page's metadata record, from the
# components that handled the page after it was fetched (what became of its requisites)
WARC_NOTES_KEY = "prakata_warc_notes"


def _header_list(headers) -> list[tuple[str, str]]:
    """Every value of every header (``Set-Cookie`` repeats), decoded as latin-1 like HTTP."""
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


logger = logging.getLogger(__name__)
# cdxj-indexer imports pyamf, which imports pkg_resources: not a line for the terminal
PKG_RESOURCES_WARNING = "ignore:pkg_resources is deprecated:UserWarning"
# A page's outlinks, read from a parsed tree (response.xpath() would wrap every href in a
# Selector of its own). Whoever parsed the page already (the spider) leaves them in the
# request meta under WARC_HREFS_KEY, so the page is not parsed again for them here.
A_HREFS = etree.XPath("//a/@href", smart_strings=False)
WARC_HREFS_KEY = "prakata_warc_hrefs"


def _served_at(response) -> datetime | None:
    """The response's own ``Date`` header, when it is readable."""
    value = response.headers.get(b"Date")
    try:
        return parsedate_to_datetime(value.decode("latin-1")) if value else None
    except (TypeError, ValueError):
        return None


class WarcCaptureMiddleware:
    """Writes each exchange to ``<PRAKATA_OUT>/warc/`` and indexes the run's files."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("PRAKATA_WARC_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.out = Path(settings.get("PRAKATA_OUT"))
        self.run_id = settings.get("PRAKATA_RUN_ID")
        self.max_size = settings.getint("PRAKATA_WARC_MAX_SIZE")
        self.files: WarcFileSet | None = None
        self.indexers: list[tuple[Path, subprocess.Popen]] = []  # closed files being sorted
        self.closing = False  # the run is over: nothing left for an index to stall

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signals.spider_closed)
        crawler.signals.connect(mw.item_scraped, signals.item_scraped)
        crawler.signals.connect(mw.item_dropped, signals.item_dropped)
        return mw

    def spider_opened(self, spider):
        settings = self.crawler.settings
        info = {
            "software": f"prakata-crawler/{__version__} (Scrapy, warcio)",
            "hostname": socket.gethostname(),
            "operator": (settings.get("PRAKATA_OPERATOR") or settings.get("PRAKATA_CONTACT")
                         or "not given (set PRAKATA_OPERATOR)"),
            "isPartOf": f"prakata-{self.run_id}",
            "description": (f"crawl of {spider.site}. Headers as Scrapy received them (names "
                            "in canonical case); chunked bodies are stored de-chunked without "
                            "Transfer-Encoding, with a Content-Length added where the server "
                            "sent none; the status reason phrase is the standard one."),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            # extra hosts whose /channel/<ID> pages are WhatsApp channels (reextract reads it)
            "prakata-channel-hosts": ",".join(sorted(spider.channel_hosts)),
            "http-header-user-agent": settings.get("USER_AGENT"),
            "format": "WARC File Format 1.1",
            "conformsTo": WARC_1_1,
        }
        self.files = WarcFileSet(self.out / "warc", settings.get("PRAKATA_WARC_PREFIX"), info,
                                 self.max_size, on_close=self._index,
                                 index_dir=self.out / "indexes")
        # what earlier runs hold, and the latest of this run's own captures (a retry of the
        # same bytes is a revisit), for revisit records
        self.archived = latest_captures(self.out / "indexes")
        self.recent: OrderedDict[str, Capture] = OrderedDict()
        # URLs archived before or in this run, for HTTP-cache hits: kept only when Scrapy's
        # HTTP cache is on, it would otherwise cost memory in proportion to the archive
        self.captured = {fields["url"] for _, fields in entries(self.out / "indexes")} \
            if settings.getbool("HTTPCACHE_ENABLED") else None

    def _index(self, path: Path, partial: Path) -> None:
        """Sort a closed WARC file's index lines (written with its records) into its
        ``.cdxj``; in the middle of a crawl, in a child process: the lines of a 1 GB file
        are about 27 MB, which the crawl's process should not hold. The last file, closed
        when the crawl is over, is sorted here: a child's start-up takes longer than sorting
        the small file a short or incremental run leaves."""
        if self.closing:
            sort_index(partial)
            return
        self.indexers.append((path, subprocess.Popen(
            [sys.executable, "-W", PKG_RESOURCES_WARNING, "-m", "prakata_crawler.warc.index",
             str(partial)])))

    def spider_closed(self, spider):
        self.closing = True
        if self.files is not None:
            self.files.close()
        for path, child in self.indexers:  # the run's indexes are complete when it ends
            if child.wait() != 0:
                logger.error("CDXJ index of %s failed (exit %s): `prakata verify --repair` "
                             "indexes it", path.name, child.returncode)

    def process_response(self, request, response, spider=None):
        now = datetime.now(timezone.utc)
        if "cached" in response.flags and self.captured is not None:
            # An HTTP-cache hit is an old capture: archived already, it is only counted;
            # missing from the archive, it is written with the time it was really fetched.
            if request.url in self.captured:
                self.crawler.stats.inc_value("prakata/warc/cache_hits_already_archived")
                return response
            now = _served_at(response) or now
            self.crawler.stats.inc_value("prakata/warc/cache_hits_archived")
        date = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        builder = self.files.builder
        headers = _header_list(response.headers)
        if not any(name.lower() == "content-length" for name, _ in headers):
            headers.append(("Content-Length", str(len(response.body))))
        warc_headers = {"WARC-Date": date}
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        protocol = (response.protocol or "HTTP/1.1").upper()
        digest = "sha1:" + b32encode(hashlib.sha1(response.body).digest()).decode()
        prior = self.recent.get(request.url) or self.archived.get(request.url)
        if prior and (response.status == 304 or (response.status == 200 and prior[0] == digest)):
            resp = revisit_record(builder, request.url, protocol, response.status, reason,
                                  headers, prior[0], (request.url, prior[1]), warc_headers,
                                  not_modified=response.status == 304)
            self.crawler.stats.inc_value("prakata/warc/revisits")
        else:
            resp = http_response_record(builder, request.url, protocol, response.status,
                                        reason, headers, response.body, warc_headers)
            if response.status == 200:
                self.recent[request.url] = Capture(digest, date)
                if len(self.recent) > RECENT_CAPTURES:
                    self.recent.popitem(last=False)
        if self.captured is not None:
            self.captured.add(request.url)
        req = self._request_record(request, date)
        resp_id = resp.rec_headers.get_header("WARC-Record-ID")
        req.rec_headers.add_header("WARC-Concurrent-To", resp_id)
        self.files.write(resp, req)
        self.crawler.stats.inc_value("prakata/warc/records", 2)
        self.crawler.stats.inc_value("prakata/warc/bytes", len(response.body))
        request.meta[WARC_ID_KEY] = resp_id
        request.meta[WARC_DIGEST_KEY] = prior[0] if resp.rec_type == "revisit" else digest
        request.meta[FETCHED_AT_KEY] = now
        return response

    def process_exception(self, request, exception, spider=None):
        """An attempt that went out but got no complete response: its request and a
        metadata record with the error (refusals by policy never went out)."""
        if self.files is None or isinstance(exception, IgnoreRequest):
            return None
        date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        req = self._request_record(request, date)
        error = f"{type(exception).__name__}: {exception}".strip()[:500]
        record = metadata_record(self.files.builder, request.url,
                                 [("outcome", "fetch-error"), ("error", error)],
                                 {"WARC-Date": date, "WARC-Concurrent-To":
                                  req.rec_headers.get_header("WARC-Record-ID")})
        self.files.write(req, record)
        self.crawler.stats.inc_value("prakata/warc/failed_attempts")
        return None

    def _request_record(self, request, date: str):
        """The ``request`` record: request line with path and query, headers as sent."""
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = [("Host", parts.netloc), *_header_list(request.headers)]
        return http_request_record(self.files.builder, request.url, request.method, target,
                                   sent, request.body or b"", {"WARC-Date": date})

    def item_scraped(self, item, response, spider):
        self._outcome(response, [("outcome", "ok"), ("item-type", item.get("type", "")),
                                 ("content-sha256", item.get("content_sha256") or "")])

    def item_dropped(self, item, response, exception, spider):
        self._outcome(response, [("outcome", getattr(exception, "category", "dropped")),
                                 ("reason", getattr(exception, "reason", str(exception)))])

    def _outcome(self, response, fields: list[tuple[str, str]]):
        """A metadata record per extracted page: what extraction made of it, the links it
        had (``outlink:`` lines, as Heritrix writes them) and the notes others left
        (:data:`WARC_NOTES_KEY`)."""
        resp_id = response.meta.get(WARC_ID_KEY) if response is not None else None
        if self.files is None or resp_id is None:
            return
        hrefs = response.meta.get(WARC_HREFS_KEY)
        if hrefs is None and hasattr(response, "selector"):
            hrefs = A_HREFS(response.selector.root)
        links = (safe_join(response.url, h) for h in dict.fromkeys(hrefs or ())
                 if h.strip() and not h.startswith(("#", "javascript:", "mailto:")))
        outlinks = [("outlink", link) for link in links if link]
        notes = response.meta.get(WARC_NOTES_KEY, [])
        record = metadata_record(self.files.builder, response.url, [*fields, *outlinks, *notes],
                                 {"WARC-Concurrent-To": resp_id})
        self.files.write(record)
