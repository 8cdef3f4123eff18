"""The ``prakata`` spider: discovers pages and routes them; it extracts nothing itself.

Discovery surfaces: robots.txt ``Sitemap:`` lines, ``/sitemap.xml``, RSS/Atom feeds, the home
page, section and index pages with their pagination, every same-site link, and an optional
URL list. Every URL is canonicalized before it is requested, so each article is fetched
once; whether a page is an article is decided from its content by the extraction pipeline.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.selector import Selector
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.sitemap import Sitemap

from .. import __version__
from ..crawlstate import open_store
from ..extract.classify import later_page
from ..extract.dates import WIB, parse_date
from ..extract.pagination import Pagination, page_of, pagination
from ..items import Page
from ..middlewares import NO_REVALIDATE
from ..reasons import (
    CHANNEL,
    DISCOVERY,
    FEED_UPDATED,
    FIRST_PAGE,
    FULL,
    LASTMOD,
    LATER_PAGE,
    LISTING,
    NEW,
    REASON,
    RECHECK,
    RESUMED,
    UNFINISHED,
    URL_LIST,
)
from ..requisites import html_requisites
from ..urls import canonicalize, channel_id, rebase, safe_join, same_site
from ..warc.capture import A_HREFS, WARC_DIGEST_KEY, WARC_HREFS_KEY, WARC_NOTES_KEY

FEED_PATHS = ("/feed", "/rss")
SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js|pdf|zip|mp4|mp3|woff2?|ttf|xml\.gz)$", re.I)
FEED_TYPES = re.compile(rb"<rss\b|<feed\b|<rdf:RDF\b", re.I)
UNSEEN = "prakata_unseen"  # the state store knew nothing of this URL when it was requested
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=WIB)  # "now" for parsing user-given bounds
SITEMAP_TYPES = re.compile(rb"<urlset\b|<sitemapindex\b", re.I)
# Child sitemaps are read after the pages links lead to, and their entries next: by then
# most entries were requested through links, and what is left of one sitemap is the
# scheduler's whole backlog. Read first, they gave Scrapy's in-memory scheduler every
# article URL of the site at once (RSS grew 2.5 KB per article).
CHILD_SITEMAP, SITEMAP_ENTRY = -10, -5
MAX_HELD_PARTS = 1000  # later pages waiting for their first page
WALK = "prakata_walk"  # (pages walked so far, link keys of the page before) on a walk link
DIGITS = re.compile(r"\d+")
# Straight from the page's parsed tree: response.xpath() wraps every result in a Selector,
# a tenth of the link discovery's cost.
PAGE_LINKS = etree.XPath("//a/@href | //link[@rel='next' or @rel='amphtml']/@href",
                         smart_strings=False)
# IgnoreRequest messages that are a refusal by policy (robots.txt, scope), not a failure
POLICY_REFUSALS = ("Forbidden by robots.txt", "outside the site and channel hosts")
FAILURE_WORDS = {  # for the download errors Scrapy raises without a message
    "ResponseDataLossError": "connection closed before the whole body arrived",
    "DownloadCancelledError": "download cancelled: body above DOWNLOAD_MAXSIZE",
    "DownloadFailedError": "connection lost",
}


class PrakataSpider(scrapy.Spider):
    name = "prakata"

    def __init__(self, site: str = "https://www.prakata.com", channel_hosts: str | None = None,
                 since: str | None = None, until: str | None = None, urls: str | None = None,
                 full: str | bool = False, resume: str | bool = False, **kwargs):
        super().__init__(**kwargs)
        self.site = site.rstrip("/")
        self.channel_hosts_arg = channel_hosts
        self.since = _bound(since, "since")
        self.until = _bound(until, "until", end_of_day=True)
        self.url_list = urls
        # incremental by default: what the archive holds is not fetched again (see _known)
        self.full = str(full).lower() in {"1", "true", "yes"}
        self.resume = str(resume).lower() in {"1", "true", "yes"}
        self.allowed_domains = []  # host checks are explicit below (ports matter on a mirror)
        self.channels_seen: set[str] = set()
        # canonical URL -> "unknown to the archive" for every request yielded in this run:
        # what the scheduler's duplicate filter would drop is not even built or yielded
        self.requested: dict[str, bool] = {}
        self.fetch_failures: dict[str, str] = {}
        self.not_found: list[str] = []
        self.not_modified: list[str] = []
        self.known_skipped = 0
        self.ignored: dict[str, str] = {}  # robots.txt disallows, offsite: by policy, not errors
        self.walks_stopped: dict[str, str] = {}  # pagination/calendar walks ended, and why
        # multi-page articles: later pages that came on their own (a link, a sitemap) wait
        # here for their first page; a first page waits for a later page on its way
        self.held_parts: OrderedDict[str, tuple[Page, Pagination]] = OrderedDict()
        self.part_waiters: dict[str, asyncio.Future] = {}
        self.parts_arrived: set[str] = set()  # URLs with a page marker, answered this run
        self.multipage: dict[str, str] = {}  # first page -> how its pages were joined
        self.parts_unjoined: dict[str, str] = {}  # later page -> why no item took it

    @classmethod
    def update_settings(cls, settings):
        """Give the run an id and, unless ``-o``/``-O`` chose a feed, write its items to
        ``<PRAKATA_OUT>/items/<run-id>.jsonl``."""
        super().update_settings(settings)
        if settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            contact = settings.get("PRAKATA_CONTACT")
            settings.set("USER_AGENT", f"prakata-crawler/{__version__} (news archiver"
                         + (f"; +{contact})" if contact else ")"), priority="spider")
        run_id = settings.get("PRAKATA_RUN_ID") or new_run_id()
        if not RUN_ID.fullmatch(run_id):  # it names files under items/ and runs/
            raise ValueError(f"PRAKATA_RUN_ID must match {RUN_ID.pattern}: {run_id[:80]!r}")
        settings.set("PRAKATA_RUN_ID", run_id, priority="spider")
        if not settings.getdict("FEEDS"):
            feed = Path(settings.get("PRAKATA_OUT"), "items", f"{run_id}.jsonl").resolve()
            settings.set("FEEDS", {feed.as_uri(): {"format": "jsonlines", "encoding": "utf8"}},
                         priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        hosts = spider.channel_hosts_arg or crawler.settings.getlist("PRAKATA_CHANNEL_HOSTS")
        if isinstance(hosts, str):
            hosts = hosts.split(",")
        spider.channel_hosts = frozenset(h.strip().lower() for h in hosts if h.strip())
        crawler.signals.connect(spider.robots_parsed, signals.robots_parsed)
        crawler.signals.connect(spider.request_dropped, signals.request_dropped)
        spider.max_walk = crawler.settings.getint("PRAKATA_MAX_WALK")
        spider.max_article_pages = crawler.settings.getint("PRAKATA_MAX_ARTICLE_PAGES")
        # a later page on its way as another page's link: how long a first page waits for it
        spider.part_wait = crawler.settings.getfloat("DOWNLOAD_TIMEOUT") * (
            crawler.settings.getint("RETRY_TIMES") + 2)
        spider.requisites_enabled = crawler.settings.getbool("PRAKATA_REQUISITES_ENABLED")
        spider.store = open_store(crawler)
        crawler.signals.connect(spider.store.close, signals.spider_closed)
        days = crawler.settings.getfloat("PRAKATA_RECHECK_DAYS")
        spider.recheck_after = datetime.now(WIB) - timedelta(days=days)
        return spider

    async def start(self):
        if self.resume:  # what the stopped or killed job still had to fetch
            for url in self.store.pending():
                request = self.request_for(url, url)
                if request is not None:
                    yield request.replace(dont_filter=True, priority=40, meta={
                        **request.meta, NO_REVALIDATE: True, REASON: RESUMED})
        else:
            self.store.forget_pending()
        if self.url_list:  # a URL-list run: those pages (and their channels), nothing else
            for line in Path(self.url_list).read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    request = self.request_for(line, self.site)
                    if request is not None and request.callback == self.parse_page:
                        request = request.replace(cb_kwargs={"channels_only": True})
                    if request is not None:
                        request.meta[REASON] = URL_LIST
                        yield request
            return
        if not self.crawler.settings.getbool("ROBOTSTXT_OBEY"):
            yield scrapy.Request(f"{self.site}/robots.txt", self.parse_robots,
                                 errback=self.on_probe_error, priority=30,
                                 meta={REASON: DISCOVERY})
        yield scrapy.Request(f"{self.site}/sitemap.xml", self.parse_xml,
                             errback=self.on_probe_error, priority=20, meta={REASON: DISCOVERY})
        for path in FEED_PATHS:
            yield scrapy.Request(self.site + path, self.parse_xml, errback=self.on_probe_error,
                                 priority=20, meta={REASON: DISCOVERY})
        yield scrapy.Request(self.site + "/", self.parse_page, errback=self.on_error, priority=10,
                             meta={REASON: self._reason(self._seen(self.site + "/"))})
        if not self.full:  # recent articles may have been edited in place: ask again
            for url in self.store.articles_since(self.recheck_after.isoformat()):
                if same_site(url, self.site):
                    yield scrapy.Request(url, self.parse_page, errback=self.on_error,
                                         meta={REASON: RECHECK})

    # -- routing -----------------------------------------------------------------------

    def request_for(self, href: str, base: str, priority: int = 0,
                    links: dict[str, bool] | None = None, changed: str | None = None,
                    signal: str = LASTMOD) -> scrapy.Request | None:
        """A request for a discovered link, or None when it is off-limits, not a page or
        already requested in this run. ``links`` collects the page's in-scope links
        (canonical URL -> unknown to the archive), requested before or not. ``changed`` is
        when the site says the page last changed (a sitemap's ``lastmod``, a feed entry's
        ``updated``; ``signal`` names which): newer than our last fetch, the page is
        fetched again however old it is."""
        url = safe_join(base, href)
        if url is None:
            return None
        kind, target = route(url, self.site, self.channel_hosts)
        if kind == "out":  # another host, or file:, data:, ...
            self.crawler.stats.inc_value("prakata/links_out_of_scope")
            return None
        if kind == "channel":
            cid = target.rsplit("/", 1)[1]
            if cid in self.channels_seen:
                return None
            self.channels_seen.add(cid)
            unseen = self._seen(target) is None
            if links is not None:
                links[target] = unseen
            return scrapy.Request(target, self.parse_channel, errback=self.on_error,
                                  cb_kwargs={"channel": cid}, priority=priority - 5,
                                  meta={UNSEEN: unseen, REASON: NEW if unseen else CHANNEL})
        if kind == "file":
            return None
        url = target
        unseen = self.requested.get(url)
        if unseen is not None:
            if links is not None:
                links[url] = unseen
            return None
        seen = self._seen(url)
        reason = signal if changed and self._newer(seen, changed) else None
        if reason is None and self._known(seen):
            self.known_skipped += 1
            return None
        if links is not None:
            links[url] = seen is None
        path = urlsplit(url).path
        xml = path.endswith(".xml") or path in FEED_PATHS
        return scrapy.Request(url, self.parse_xml if xml else self.parse_page,
                              errback=self.on_error, priority=priority,
                              meta={UNSEEN: seen is None,
                                    REASON: reason or (DISCOVERY if xml else self._reason(seen))})

    def _reason(self, seen) -> str:
        """Why a page the spider may fetch is fetched (see :mod:`prakata_crawler.reasons`)."""
        if seen is None:
            return FULL if self.full else NEW
        if seen.kind == "article":
            return RECHECK  # an older one is _known
        if seen.kind == "index":
            return DISCOVERY
        if seen.kind == "page" or seen.status in {301, 302, 303, 307, 308}:
            return LISTING  # home, sections, tags, static pages: they change
        return UNFINISHED

    def _first(self, request: scrapy.Request) -> bool:
        """True when ``request`` is to be yielded: the first of its URL in this run."""
        if request.dont_filter:
            return True
        if request.url in self.requested:
            return False
        self.requested[request.url] = bool(request.meta.get(UNSEEN))
        return True

    def _honour_crawl_delay(self, robotparser) -> None:
        """robots.txt ``Crawl-delay`` as a floor on the delay between requests to the site
        (Scrapy reads it but does not apply it). AutoThrottle keeps it as its minimum."""
        agent = self.crawler.settings.get("USER_AGENT")
        delay = robotparser.crawl_delay(agent) if hasattr(robotparser, "crawl_delay") else None
        if not delay or delay <= getattr(self, "download_delay", 0):
            return
        self.download_delay = delay
        host = urlsplit(self.site).hostname  # Scrapy keys download slots by host name
        for key, slot in self.crawler.engine.downloader.slots.items():
            if key == host:
                slot.delay, slot.jitter = max(slot.delay, delay), 0.0
        self.logger.info("robots.txt asks for %s s between requests: honoured", delay)

    def _unchanged_since_fetched(self, url: str, lastmod: str | None) -> bool:
        """A child sitemap whose ``lastmod`` is older than our last successful fetch."""
        if self.full or not lastmod:
            return False
        joined = safe_join(self.site + "/", url)
        seen = self.store.seen(canonicalize(rebase(joined, self.site))) if joined else None
        if seen is None or seen.status != 200:
            return False
        return not self._newer(seen, lastmod)

    @staticmethod
    def _newer(seen, stamp: str) -> bool:
        """True when ``stamp`` (a sitemap's or a feed's date) is after our last fetch of a
        page we hold; False for a page we never fetched or a date we cannot read."""
        if seen is None:
            return False
        moment = parse_date(stamp, now=FAR_FUTURE)
        return moment is not None and moment > datetime.fromisoformat(seen.fetched_at)

    def _seen(self, url: str):
        """What the state store knows of ``url`` (nothing in a ``--full`` crawl)."""
        return None if self.full else self.store.seen(url)

    def _known(self, seen) -> bool:
        """True for a URL an incremental run need not fetch again: an article published
        before the re-check window, a redirect or a page that was gone."""
        if seen is None:
            return False
        if seen.kind == "article":
            return bool(seen.published) and seen.published < self.recheck_after.isoformat()
        return seen.status in {301, 308, 404, 410}

    def parse_robots(self, response: Response):
        """robots.txt fetched by the spider itself (only when robots.txt is not obeyed)."""
        for line in response.text.splitlines() if isinstance(response, TextResponse) else []:
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                request = self.request_for(value.strip(), response.url, priority=20)
                if request is not None and self._first(request):
                    yield request

    def robots_parsed(self, robotparser, request):
        """Sitemaps from the robots.txt Scrapy's RobotsTxtMiddleware already fetched, so the
        site is not asked for it twice (Protego, Scrapy's default parser, lists them)."""
        if not same_site(request.url, self.site):
            return
        self._honour_crawl_delay(robotparser)
        if self.url_list:
            return  # a URL-list run fetches its list and nothing else
        protego = getattr(robotparser, "rp", None)
        for sitemap in getattr(protego, "sitemaps", ()) or ():
            follow = self.request_for(sitemap, self.site + "/", priority=20)
            if follow is not None and self._first(follow):
                self.crawler.engine.crawl(follow)

    def parse_xml(self, response: Response):
        """A sitemap (index, urlset, news) or an RSS/Atom feed; anything else is ignored."""
        head = response.body[:2048]
        if SITEMAP_TYPES.search(head):
            yield from self._parse_sitemap(response)
        elif FEED_TYPES.search(head):
            yield from self._parse_feed(response)
        elif isinstance(response, TextResponse) and b"<html" in head.lower():
            yield from self.parse_page(response)

    def _parse_sitemap(self, response: Response):
        try:
            sitemap = NewsSitemap(response.body)
        except (etree.XMLSyntaxError, ValueError) as exc:
            self.logger.warning("unreadable sitemap %s: %s", response.url, exc)
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                if self._unchanged_since_fetched(loc, entry.get("lastmod")):
                    self.known_skipped += 1
                    continue  # its lastmod says nothing new since the last fetch
                request = self.request_for(loc, response.url, priority=CHILD_SITEMAP)
            elif self._in_range(entry.get("publication_date") or entry.get("lastmod")):
                request = self.request_for(
                    loc, response.url, priority=SITEMAP_ENTRY,
                    changed=entry.get("lastmod") or entry.get("publication_date"))
            else:
                continue
            if request is not None and self._first(request):
                yield request

    def _parse_feed(self, response: Response):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                                 huge_tree=False)
        try:
            root = etree.fromstring(response.body, parser=parser)
        except etree.XMLSyntaxError as exc:
            self.logger.warning("unreadable feed %s: %s", response.url, exc)
            return
        if root is None:
            return
        for entry in root.iter("{*}item", "item", "{*}entry", "entry"):
            href, stamp = feed_entry(entry)
            request = self.request_for(href, response.url, priority=5, changed=stamp,
                                       signal=FEED_UPDATED) if href else None
            if request is not None and self._first(request):
                yield request

    async def parse_page(self, response: Response, channels_only: bool = False):
        """Any site page: hand it to extraction, then follow its links (only its channel
        links for a page from ``--urls``). A multi-page article's first page waits for its
        other pages and goes on as one item; a later page goes to its first page."""
        if not isinstance(response, TextResponse):
            return
        root = html_root(response)
        pager = None if channels_only else pagination(root, response.url)
        own = {self._site_page(u) for u in (*pager.pages.values(), pager.show_all) if u} \
            if pager else set()
        links: dict[str, bool] = {}
        requests = []
        for href in dict.fromkeys(PAGE_LINKS(root)):
            if channels_only and not channel_id(safe_join(response.url, href) or "",
                                                self.channel_hosts):
                continue
            request = self.request_for(href, response.url, links=links)
            if request is not None and request.url not in own:
                requests.append(request)
        for request in self._walk(response, links, requests):
            yield request
        if self._part_arrived(response, pager, root):
            return  # a later page: its first page's item takes it
        if pager is not None and pager.later:
            first = self.request_for(pager.first, response.url)
            if first is not None and self._first(first):
                first.meta[REASON] = FIRST_PAGE
                yield first
            return
        # last: once its item is through, the page counts as done for a resumed job
        page = Page.from_response(response, kind="page",
                                  requisites=self._requisites(root, response.url))
        del root  # the page waits for its requisites and extraction: its tree need not
        if pager is not None:
            async for request in self._join_pages(page, pager):
                yield request
        yield page

    def _site_page(self, url: str) -> str | None:
        """The canonical URL a link to a page of the site is fetched at (on a mirror too)."""
        kind, target = route(url, self.site, self.channel_hosts)
        return target if kind == "page" else None

    def _part_arrived(self, response: TextResponse, pager: Pagination | None,
                      root) -> bool:
        """A page with a page marker in its URL came: hand it to the first page waiting
        for it, or hold it for its first page if it is a later page. True when taken."""
        url = canonicalize((response.meta.get("redirect_urls") or [response.url])[0])
        if page_of(url)[1] is None:
            return False
        self.parts_arrived.add(url)
        waiter = self.part_waiters.pop(url, None)
        if waiter is None and not (pager is not None and pager.later):
            return False
        page = Page.from_response(response, kind="part",
                                  requisites=self._requisites(root, response.url))
        if waiter is not None:
            if not waiter.done():
                waiter.set_result((page, pager))
            return True
        self.held_parts[url] = (page, pager)
        if len(self.held_parts) > MAX_HELD_PARTS:
            old, _ = self.held_parts.popitem(last=False)
            self.parts_unjoined[old] = "its first page did not come in time"
        return True

    async def _join_pages(self, page: Page, pager: Pagination):
        """Fetch the other pages of the multi-page article ``page`` is page 1 of (its
        show-all view instead when it has one), each once, and attach them to ``page``;
        yields the requests for their links. Stops at ``PRAKATA_MAX_ARTICLE_PAGES`` and
        at a "next" that points back, and says so."""
        if pager.show_all:
            got = await self._part(pager.show_all)
            if not isinstance(got, str):
                page.parts.append(got[0])
                for request in got[2]:
                    yield request
                self._joined(page, f"show-all view {pager.show_all}")
                return
            self.logger.info("show-all view of %s unavailable (%s): reading its pages",
                             page.url, got)
        seen = {canonicalize(page.url)}
        nxt, number = pager.next, 1
        while nxt:
            if self._site_page(nxt) in seen:
                self._joined(page, f"{number} pages; the next page of page {number} points "
                                   f"back to {nxt}", stopped=True)
                return
            if number >= self.max_article_pages:
                self._joined(page, f"first {number} pages: more than PRAKATA_MAX_ARTICLE_PAGES"
                                   f" ({self.max_article_pages})", stopped=True)
                return
            seen.add(self._site_page(nxt))
            number += 1
            got = await self._part(nxt)
            if isinstance(got, str):
                page.parts_problem = f"page {number} ({nxt}): {got}"
                return
            part, part_pager, requests = got
            page.parts.append(part)
            for request in requests:
                yield request
            nxt = part_pager.next if part_pager is not None else None
        self._joined(page, f"{number} pages")

    def _joined(self, page: Page, how: str, stopped: bool = False) -> None:
        """Record how ``page``'s parts were joined: in the report, in its WARC metadata
        record (``article-page: URL DIGEST``, read by reextract) and in its requisites."""
        if stopped:
            self.logger.warning("multi-page article %s: %s", page.url, how)
        self.multipage[page.url] = how
        notes = page.meta.setdefault(WARC_NOTES_KEY, [])
        requisites = dict.fromkeys(page.requisites)
        for part in page.parts:
            notes.append(("article-page", f"{part.url} {part.meta.get(WARC_DIGEST_KEY)}"))
            requisites.update(dict.fromkeys(part.requisites))
        page.requisites = list(requisites)

    async def _part(self, url: str):
        """``(Page, its Pagination, requests for its links)`` of one more page of an
        article, or why it could not be had. A page that came on its own is taken from
        where it waits; one on its way is waited for; any other is fetched now."""
        key = self._site_page(url)
        if key is None:
            return f"not a page of the site: {url}"[:200]
        held = self.held_parts.pop(key, None)
        if held is not None:
            return held[0], held[1], []
        if key in self.requested and key not in self.parts_arrived:
            waiter = self.part_waiters.setdefault(key, asyncio.get_running_loop().create_future())
            try:
                got = await asyncio.wait_for(asyncio.shield(waiter), self.part_wait)
            except TimeoutError:
                self.part_waiters.pop(key, None)
            else:
                return got if isinstance(got, str) else (*got, [])
        self.requested.setdefault(key, False)
        request = scrapy.Request(key, callback=NO_CALLBACK, dont_filter=True,
                                 meta={NO_REVALIDATE: True, REASON: LATER_PAGE})
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            return f"not fetched: {exc}"[:200]
        except Exception as exc:  # noqa: BLE001 -- timeouts, resets: the page is missing
            return f"{type(exc).__name__}: {exc}".strip(": ")[:200]
        self.parts_arrived.add(key)
        if response.status != 200 or not isinstance(response, TextResponse):
            return f"HTTP {response.status}"
        root = html_root(response)
        requests = [r for r in (self.request_for(h, response.url) for h in
                                dict.fromkeys(PAGE_LINKS(root)))
                    if r is not None and page_of(r.url)[0] != page_of(key)[0] and self._first(r)]
        part = Page.from_response(response, kind="part",
                                  requisites=self._requisites(root, response.url))
        return part, pagination(root, response.url), requests

    def _requisites(self, root, url: str) -> list[tuple[str, str]]:
        """What the page loads (images, stylesheets, scripts, ...), for RequisitesPipeline."""
        if not self.requisites_enabled:
            return []
        return html_requisites(root, url)

    def _walk(self, response: Response, links: dict[str, bool], requests: list[scrapy.Request]):
        """Links, with walk links (pagination, calendars: the page's own URL with other
        numbers) followed only while the page shows something new, and at most
        ``PRAKATA_MAX_WALK`` pages in a row: an endless listing or calendar is a trap.

        New means a link that is neither a walk link, nor on the page the walk came from,
        nor (in an incremental crawl) already in the archive."""
        here = walk_key(response.url)
        walked, before = response.meta.get(WALK, (0, frozenset()))
        keys = frozenset(hash(url) for url in links if walk_key(url) != here)
        new = keys - before
        fresh = any(unseen and hash(url) in new for url, unseen in links.items())
        walks = []
        for request in requests:
            if walk_key(request.url) == here or later_page(request.url):
                walks.append(request)
            elif self._first(request):
                yield request
        if not walks:
            return
        if not fresh:
            self._stop_walk(response.url, "shows nothing new")
        elif walked + 1 >= self.max_walk:
            self._stop_walk(response.url, f"walked {walked + 1} pages (PRAKATA_MAX_WALK)")
        else:
            for request in walks:
                if self._first(request):
                    yield request.replace(meta={**request.meta, WALK: (walked + 1, keys)})

    def _stop_walk(self, url: str, why: str) -> None:
        self.logger.info("pagination stopped at %s: %s", url, why)
        self.walks_stopped[url] = why

    def parse_channel(self, response: Response, channel: str):
        requisites = self._requisites(html_root(response), response.url) \
            if isinstance(response, TextResponse) else []
        yield Page.from_response(response, kind="channel", requisites=requisites)

    def on_error(self, failure):
        """Failed requests are logged and counted by the run report, never dropped silently,
        under the URL that was discovered (the start of a redirect chain).

        A 404/410 is the site's answer about a dead link, not a crawler error; robots.txt
        and scope refusals are policy, not errors."""
        request = failure.request
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        response = getattr(failure.value, "response", None)
        message = failure.getErrorMessage()
        waiter = self.part_waiters.pop(url, None)  # a first page waits for this one
        if waiter is not None and not waiter.done():
            waiter.set_result(f"HTTP {response.status}" if response is not None
                              else message[:200] or type(failure.value).__name__)
        if failure.check(IgnoreRequest) and response is None and \
                message.startswith(POLICY_REFUSALS):
            self.logger.debug("not fetched %s: %s", request.url, message)
            self.ignored[request.url] = message[:200]
            return
        if response is not None and response.status == 304:
            self.not_modified.append(request.url)  # archived as a revisit; nothing new
            return
        if response is not None and response.status in {404, 410}:
            self.logger.info("gone %s: HTTP %s", request.url, response.status)
            self.not_found.append(request.url)
            return
        self._failed(url, failure_reason(failure))

    def _failed(self, url: str, reason: str) -> None:
        self.logger.error("fetch failed %s: %s", url, reason)
        self.fetch_failures[url] = reason[:200]

    def request_dropped(self, request, spider):
        """A redirect back into its own chain is a loop (the duplicate filter drops it,
        silently unless it is recorded here); a redirect to a page already fetched is not."""
        chain = request.meta.get("redirect_urls") or []
        waiter = self.part_waiters.pop(chain[0] if chain else request.url, None)
        if waiter is not None and not waiter.done():
            waiter.set_result("dropped by the scheduler")
        if request.url in chain:
            self._failed(chain[0], f"redirect loop after {len(chain)} redirects "
                                   f"back to {request.url}")

    def on_probe_error(self, failure):
        """A discovery probe (robots.txt, /sitemap.xml, /feed) that is missing (404, 410,
        refused by robots.txt) is normal; one that fails otherwise (a 5xx, a timeout, a
        gzip bomb) is a fetch failure like any other."""
        response = getattr(failure.value, "response", None)
        if response is not None:
            missing = response.status in {404, 410}
        else:
            missing = bool(failure.check(IgnoreRequest)) and \
                failure.getErrorMessage().startswith(POLICY_REFUSALS)
        if not missing:
            self.on_error(failure)
            return
        self.logger.info("probe unavailable %s: %s", failure.request.url,
                         failure.getErrorMessage())
        self.crawler.stats.inc_value("prakata/probe_missing")

    def _in_range(self, value: str | None) -> bool:
        if not value or not (self.since or self.until):
            return True
        moment = parse_date(value)
        if moment is None:
            return True
        return not ((self.since and moment < self.since) or (self.until and moment > self.until))


def html_root(response: TextResponse):
    """The parsed page, not cached on the response (``response.selector`` is): the
    response lives on while its item waits for requisites and extraction, and its tree
    (ten times the page's size) would wait with it. Its ``<a href>`` values go to the
    response's meta for the WARC capture's outlinks, which would parse it again."""
    root = Selector(response=response).root
    response.meta[WARC_HREFS_KEY] = A_HREFS(root)
    return root


class NewsSitemap(Sitemap):
    """Scrapy's sitemap reader, plus a news sitemap's ``news:publication_date`` (Scrapy's
    reader keeps only the entry's own child elements, and clears them as it goes)."""

    def _process_sitemap_element(self, elem):
        date = elem.find("{*}news/{*}publication_date")
        published = (date.text or "").strip() if date is not None else ""
        entry = super()._process_sitemap_element(elem)
        if entry is not None and published:
            entry["publication_date"] = published
        return entry


# When a feed entry last changed, best first: Atom's updated, RSS extensions, publication.
FEED_DATES = ("updated", "modified", "published", "pubDate", "date", "issued")


def feed_entry(entry) -> tuple[str | None, str | None]:
    """``(link, date)`` of an RSS ``item`` or an Atom ``entry``."""
    link, dates = None, {}
    for child in entry:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "link" and link is None and child.get("rel", "alternate") == "alternate":
            link = child.get("href") or (child.text or "").strip() or None
        elif name in FEED_DATES and (child.text or "").strip():
            dates.setdefault(name, child.text.strip())
    return link, next((dates[n] for n in FEED_DATES if n in dates), None)


@lru_cache(maxsize=16384)  # pages repeat their menus' and sidebars' links
def route(url: str, site: str, channel_hosts: frozenset[str]) -> tuple[str, str | None]:
    """Where an absolute link leads: ``("page", canonical URL)``, ``("channel", channel
    URL)``, ``("file", None)`` for images, scripts and the like on the site, or ``("out",
    None)`` for anything outside the site and the channel hosts."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"} and not url.lower().startswith("whatsapp://"):
        return "out", None
    cid = channel_id(url, channel_hosts)
    if cid:
        host = urlsplit(url)
        return "channel", (f"https://www.whatsapp.com/channel/{cid}" if host.scheme == "whatsapp"
                           else f"{host.scheme}://{host.netloc}/channel/{cid}")
    if not same_site(url, site):
        return "out", None
    if SKIP_EXTENSIONS.search(urlsplit(url).path):
        return "file", None
    return "page", canonicalize(rebase(url, site))


def walk_key(url: str) -> str:
    """What the pages of one walk share: the path with its numbers masked and the query
    without its numeric values (``/arsip/2025/12/01``, ``/kategori/x?page=7``)."""
    parts = urlsplit(url)
    query = "&".join(sorted(p for p in parts.query.split("&")
                            if p and not p.partition("=")[2].isdigit()))
    return f"{DIGITS.sub('#', parts.path)}?{query}"


def failure_reason(failure) -> str:
    """A fetch failure in a few words: the HTTP status or the error, and the retries spent."""
    response = getattr(failure.value, "response", None)
    name = type(failure.value).__name__
    message = failure.getErrorMessage().strip() if response is None else ""
    if response is not None:
        reason = f"HTTP {response.status}"
    elif message and not message.startswith("[<"):  # not a repr of twisted failures
        reason = f"{name}: {message}"
    else:
        reason = f"{name}: {FAILURE_WORDS.get(name, 'no complete response')}"
    retries = failure.request.meta.get("retry_times")
    return f"{reason} (after {retries} retries)" if retries else reason


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")


def new_run_id() -> str:
    """Sortable and unique: UTC start time plus a random suffix."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(3)


def parse_bound(value: str, end_of_day: bool = False) -> datetime | None:
    """A ``--since``/``--until`` value: an absolute date (future ones too) or a relative
    one ("3 hari lalu", "kemarin") resolved against now."""
    moment = parse_date(value, now=datetime.now(WIB)) or parse_date(value, now=FAR_FUTURE)
    if moment and end_of_day and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment


def _bound(value: str | None, name: str, end_of_day: bool = False) -> datetime | None:
    if not value:
        return None
    moment = parse_bound(value, end_of_day)
    if moment is None:
        raise ValueError(f"--{name}: not a date: {value!r}")
    return moment
