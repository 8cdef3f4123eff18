"""Archives each page's requisites before its item goes on, so the item can say which of
its images the archive holds.

An item pipeline, like Scrapy's media pipelines (``FilesPipeline``): requisites are
downloaded through the engine, so every request passes the same downloader middlewares as
a page (scope, robots.txt, politeness, retries with backoff, size caps, WARC capture), and
the page's item waits for them. Each distinct URL is fetched once per run; one the archive
holds from a recent crawl is not asked for again, an older one gets a conditional request
(a 304 or the same bytes become a revisit record). Stylesheets are read for what they load
in turn (fonts, backgrounds, ``@import``), from the response or from the archive's copy.

What it found goes to the page's ``meta`` (:data:`REQUISITES_KEY`, and the lines of the
page's WARC metadata record under :data:`~prakata_crawler.warc.capture.WARC_NOTES_KEY`), and
each URL's outcome, once, to the :data:`requisite_done` signal for the run report.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured
from scrapy.http import TextResponse
from scrapy.http.request import NO_CALLBACK

from .items import Page
from .reasons import REASON
from .reasons import REQUISITE as REQUISITE_REASON
from .requisites import DENIED, IN, STYLE, css_requisites, scope
from .warc.capture import WARC_DIGEST_KEY, WARC_NOTES_KEY
from .warc.index import Capture, latest_captures
from .warc.payload import body_at

REQUISITE = "prakata_requisite"  # request meta: the kind of page ("page", "channel") it serves
REQUISITES_KEY = "prakata_requisites"  # Page.meta: URL -> Requisite
requisite_done = object()  # signal: requisite=Requisite, once per distinct URL per run

FETCHED, REVISIT, REUSED = "fetched", "revisit", "reused"  # in the archive
FAILED, SKIPPED, OUT_OF_SCOPE, AD_OR_TRACKER, ROBOTS = (
    "failed", "skipped", "out of scope", "ad or tracker", "robots.txt")
OUTCOMES = (FETCHED, REVISIT, REUSED, FAILED, SKIPPED, OUT_OF_SCOPE, AD_OR_TRACKER, ROBOTS)
ARCHIVED = (FETCHED, REVISIT, REUSED)
MAX_REMEMBERED = 100_000  # refusals remembered per run (an ad URL may differ on every page)
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)  # one per distinct URL of a run: keep them small
class Requisite:
    """What became of one requisite URL."""

    url: str
    kind: str  # requisites.KINDS
    outcome: str  # OUTCOMES
    digest: str | None = None  # payload digest of the archive's copy (None: not archived)
    reason: str | None = None  # why it failed or was skipped
    loads: tuple[tuple[str, str], ...] = ()  # what a stylesheet loads in turn

    @property
    def archived(self) -> bool:
        return self.digest is not None

    def note(self) -> tuple[str, str]:
        """Its line in the page's WARC metadata record: ``requisite: URL KIND OUTCOME
        DIGEST`` when the archive holds it (re-extraction reads these), else
        ``not-captured: URL KIND OUTCOME[: REASON]``."""
        if self.archived:
            return "requisite", f"{self.url} {self.kind} {self.outcome} {self.digest}"
        why = f"{self.outcome}: {self.reason}" if self.reason else self.outcome
        return "not-captured", f"{self.url} {self.kind} {why}"


class RequisitesPipeline:
    """Before extraction: fetch a page's requisites, record what became of them."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("PRAKATA_REQUISITES_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.hosts = _hosts(settings.getlist("PRAKATA_REQUISITE_HOSTS"))
        self.channel_hosts = self.hosts + _hosts(settings.getlist("PRAKATA_CHANNEL_ASSET_HOSTS"))
        self.caps = settings.getdict("PRAKATA_REQUISITE_MAX_SIZE")
        self.default_cap = settings.getint("DOWNLOAD_MAXSIZE")
        self.per_page = settings.getint("PRAKATA_REQUISITES_PER_PAGE")
        self.recheck = timedelta(days=settings.getfloat("PRAKATA_REQUISITE_RECHECK_DAYS"))
        self.out = Path(settings.get("PRAKATA_OUT"))
        self.results: dict[str, Requisite | asyncio.Future] = {}  # fetched (or fetching)
        self.refused: dict[tuple[str, bool], Requisite] = {}  # (URL, for a channel page)
        self.noted: set[str] = set()  # URLs not fetched by policy, reported once

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        self.site = spider.site
        self.full = getattr(spider, "full", False)
        self.archive = {} if self.full else latest_captures(self.out / "indexes")

    async def process_item(self, item, spider=None):
        if not isinstance(item, Page) or not item.requisites or not 200 <= item.status < 300:
            return item
        channel = item.kind == "channel"
        found: dict[str, Requisite] = {}
        wanted = list(dict.fromkeys(item.requisites))
        while wanted:  # the page's requisites, then what its stylesheets load, ...
            room = max(self.per_page - len(found), 0)
            for url, kind in wanted[room:]:
                found[url] = self._note(Requisite(
                    url, kind, SKIPPED, reason="over PRAKATA_REQUISITES_PER_PAGE"))
            batch, waits = [], []
            for url, kind in wanted[:room]:
                known = self._known(url, kind, channel, item.kind)
                (batch if isinstance(known, Requisite) else waits).append(known)
            if waits:
                batch += await asyncio.gather(*waits)
            found.update((r.url, r) for r in batch)
            wanted = [(url, kind) for r in batch for url, kind in r.loads if url not in found]
            wanted = list(dict.fromkeys(wanted))
        item.meta[REQUISITES_KEY] = found
        item.meta.setdefault(WARC_NOTES_KEY, []).extend(r.note() for r in found.values())
        return item

    def _known(self, url: str, kind: str, channel: bool, page_kind: str):
        """The outcome for ``url`` if this run knows it (most of a page's requisites are
        the site's chrome), else something to await for it: this run's fetch under way, or
        a new one (registered at once, so no other page starts the same fetch)."""
        known = self.results.get(url)
        if isinstance(known, asyncio.Future):
            return asyncio.shield(known)
        if known is not None:
            return known
        refused = self.refused.get((url, channel))
        if refused is not None:
            return refused
        where = scope(url, self.site, self.channel_hosts if channel else self.hosts)
        if where != IN:
            result = Requisite(url, kind, AD_OR_TRACKER if where == DENIED else OUT_OF_SCOPE)
            if len(self.refused) < MAX_REMEMBERED:
                self.refused[(url, channel)] = result
            return self._note(result)
        future = self.results[url] = asyncio.get_running_loop().create_future()
        return self._fetch_once(url, kind, page_kind, future)

    async def _fetch_once(self, url: str, kind: str, page_kind: str,
                          future: asyncio.Future) -> Requisite:
        try:
            result = await self._fetch(url, kind, page_kind)
        except Exception as exc:  # noqa: BLE001 -- a requisite never takes its page down
            logger.exception("requisite %s: unexpected error", url)
            result = Requisite(url, kind, FAILED, reason=f"{type(exc).__name__}: {exc}"[:200])
        self.results[url] = result
        future.set_result(result)
        self._report(result)
        return result

    async def _fetch(self, url: str, kind: str, page_kind: str) -> Requisite:
        prior = self.archive.get(url)
        if prior is not None and self._recent(prior):
            return Requisite(url, kind, REUSED, prior.digest, loads=self._archived_loads(
                url, kind, prior))
        cap = int(self.caps.get(kind, self.default_cap))
        if self.default_cap:  # DOWNLOAD_MAXSIZE bounds everything
            cap = min(cap, self.default_cap) if cap else self.default_cap
        request = Request(url, callback=NO_CALLBACK, meta={
            REQUISITE: page_kind, "download_maxsize": cap, REASON: REQUISITE_REASON})
        held = prior.digest if prior else None  # an older copy still stands in the archive
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            message = str(exc)
            if message.startswith("Forbidden by robots.txt"):
                return Requisite(url, kind, ROBOTS, held)
            return Requisite(url, kind, OUT_OF_SCOPE, held, reason=message[:200])
        except DownloadCancelledError:
            return Requisite(url, kind, SKIPPED, held,
                             reason=f"larger than the {cap}-byte cap for {kind}")
        except Exception as exc:  # noqa: BLE001 -- timeouts, resets, ...: all are failures
            return Requisite(url, kind, FAILED, held,
                             reason=(f"{type(exc).__name__}: {exc}".strip(": "))[:200])
        digest = response.meta.get(WARC_DIGEST_KEY)
        if response.status == 304 or (200 <= response.status < 300 and prior is not None
                                       and digest == prior.digest):
            loads = self._archived_loads(url, kind, prior) if response.status == 304 else \
                self._loads(response, kind)
            return Requisite(url, kind, REVISIT, digest or held, loads=loads)
        if 200 <= response.status < 300:
            return Requisite(url, kind, FETCHED, digest, loads=self._loads(response, kind))
        return Requisite(url, kind, FAILED, held, reason=f"HTTP {response.status}")

    def _recent(self, prior: Capture) -> bool:
        fetched = datetime.fromisoformat(prior.date.replace("Z", "+00:00"))
        return datetime.now(timezone.utc) - fetched < self.recheck

    @staticmethod
    def _loads(response, kind: str) -> tuple[tuple[str, str], ...]:
        if kind != STYLE:
            return ()
        text = response.text if isinstance(response, TextResponse) else \
            response.body.decode("utf-8", "replace")
        return tuple(css_requisites(text, response.url))

    def _archived_loads(self, url: str, kind: str,
                        prior: Capture | None) -> tuple[tuple[str, str], ...]:
        """What the archive's copy of a stylesheet loads (it was not downloaded now)."""
        if kind != STYLE or prior is None or prior.filename is None or prior.offset is None:
            return ()
        try:
            body = body_at(self.out / "warc" / prior.filename, prior.offset)
        except (OSError, StopIteration, ValueError) as exc:
            logger.warning("archived stylesheet %s unreadable: %s", url, exc)
            return ()
        return tuple(css_requisites(body.decode("utf-8", "replace"), url)) if body else ()

    def _note(self, result: Requisite) -> Requisite:
        if result.url not in self.noted:
            self.noted.add(result.url)
            self._report(result)
        return result

    def _report(self, result: Requisite) -> None:
        if result.outcome == FAILED:
            logger.warning("requisite failed %s: %s", result.url, result.reason)
        elif result.outcome == SKIPPED:
            logger.info("requisite skipped %s: %s", result.url, result.reason)
        self.crawler.stats.inc_value(f"prakata/requisites/{result.outcome}")
        self.crawler.signals.send_catch_log(requisite_done, requisite=result)


def _hosts(values) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in values if v.strip())
