"""Downloader middlewares."""

import asyncio
import zlib
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares import cookies
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import IgnoreRequest
from tldextract import TLDExtract

from . import requisites
from .crawlstate import open_store
from .fetch_requisites import REQUISITE
from .urls import in_scope

# Stock Scrapy downloads the public-suffix list from the internet on first use; a crawler
# that may only talk to its target site (and tests confined to 127.0.0.1) reads tldextract's
# bundled snapshot instead.
cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class CookiesMiddleware(cookies.CookiesMiddleware):
    """Scrapy's cookie handling, without the public-suffix download."""


class SiteScopeMiddleware:
    """Only the site's host (with or without ``www.``) and the channel hosts are fetched,
    redirects included: anything else (another host or port, a loopback, private or
    link-local address in any spelling, a non-HTTP scheme, a URL whose host parsers could
    read two ways) is refused and counted. A page requisite may also come from the hosts
    :func:`prakata_crawler.requisites.scope` allows (and robots.txt from those hosts), never
    from an ad or tracker host. Ordered first, so robots.txt is not fetched for a refused
    host either (see :func:`prakata_crawler.urls.in_scope`)."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.requisite_hosts = [h.strip().lower() for h in
                                settings.getlist("PRAKATA_REQUISITE_HOSTS") if h.strip()]
        self.asset_hosts = self.requisite_hosts + [
            h.strip().lower() for h in settings.getlist("PRAKATA_CHANNEL_ASSET_HOSTS")
            if h.strip()]

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = self.crawler.spider
        if in_scope(request.url, spider.site, spider.channel_hosts):
            return None
        page_kind = request.meta.get(REQUISITE)
        robots = bool(request.meta.get("dont_obey_robotstxt")) and \
            urlsplit(request.url).path == "/robots.txt"
        if page_kind is not None or robots:
            hosts = self.asset_hosts if page_kind == "channel" or robots else \
                self.requisite_hosts
            if requisites.scope(request.url, spider.site, hosts) == requisites.IN:
                return None
            self.crawler.stats.inc_value("prakata/offsite_refused")
            raise IgnoreRequest(f"outside the requisite hosts: {request.url}")
        self.crawler.stats.inc_value("prakata/offsite_refused")
        raise IgnoreRequest(f"outside the site and channel hosts: {request.url}")


NO_REVALIDATE = "prakata_no_revalidate"  # a resumed job's unfinished page: fetch in full


class ConditionalRequestMiddleware:
    """Asks "changed since?" (``If-None-Match``/``If-Modified-Since``) for pages the archive
    already holds; a 304 is archived as a server-not-modified revisit. Not for robots.txt
    (Scrapy must read it) and not in a ``--full`` crawl."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.store = open_store(crawler)
        crawler.signals.connect(self.store.close, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if (getattr(self.crawler.spider, "full", False) or request.method != "GET"
                or request.meta.get("dont_obey_robotstxt") or request.meta.get(NO_REVALIDATE)):
            return None
        seen = self.store.seen(request.url)
        if seen is None or seen.status != 200 or seen.kind is None:
            return None  # new, not a success, or fetched but never processed (a killed job)
        if seen.etag:
            request.headers.setdefault(b"If-None-Match", seen.etag.encode("latin-1"))
        if seen.last_modified:
            request.headers.setdefault(b"If-Modified-Since", seen.last_modified.encode("latin-1"))
        return None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, but polite: wait what ``Retry-After`` asks (429, 503), else back
    off exponentially (``RETRY_BACKOFF_BASE`` x 2^attempt, capped by
    ``RETRY_BACKOFF_MAX``) before the retry goes out."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, retry_after(response))
        return result

    async def process_exception(self, request, exception, spider=None):
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, None)
        return result

    async def _wait(self, retry: Request, asked: float | None) -> None:
        attempt = retry.meta.get("retry_times", 1)
        delay = min(asked if asked is not None else self.base * 2 ** (attempt - 1), self.cap)
        if delay > 0:
            self.crawler.stats.inc_value("prakata/retry_wait_seconds", delay)
            await asyncio.sleep(delay)


def retry_after(response) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    value = (response.headers.get(b"Retry-After") or b"").decode("latin-1").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc))
                   .total_seconds())
    except (TypeError, ValueError):
        return None


class BodyTruncated(IgnoreRequest):
    """A response body that ended before its own encoding says it does."""


class TruncatedBodyMiddleware:
    """A gzip body cut before its trailer is a transfer cut short, yet Scrapy's gunzip keeps
    what arrived as if it were the page. Such a response is retried like a dropped
    connection and, once retries are spent, fails with :class:`BodyTruncated`. Ordered
    between the WARC capture (which archives it as received) and decompression."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        encoding = (response.headers.get(b"Content-Encoding") or b"").strip().lower()
        if encoding not in {b"gzip", b"x-gzip"} or gzip_complete(response.body, self.max_size):
            return response
        reason = "truncated gzip body"
        retry = get_retry_request(request, spider=self.crawler.spider, reason=reason)
        if retry is not None:
            return retry
        raise BodyTruncated(f"{reason} ({len(response.body)} bytes received)")


def gzip_complete(body: bytes, limit: int = 0) -> bool:
    """Whether a gzip stream runs to its end; one inflating past ``limit`` bytes is left to
    the decompression cap (HttpCompressionMiddleware) rather than inflated here."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    produced, data = 0, body
    try:
        while data and not inflater.eof:
            produced += len(inflater.decompress(data, 1 << 20))
            data = inflater.unconsumed_tail
            if limit and produced > limit:
                return True
    except zlib.error:
        return False
    return inflater.eof
