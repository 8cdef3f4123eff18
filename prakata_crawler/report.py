"""The run report: what a run fetched, emitted, skipped and rejected, and whether it failed.

Written to ``<out>/runs/<run-id>.json`` when the spider closes; ``prakata crawl`` reads its
``status`` to choose the exit code, so a scheduler can act on it.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.logformatter import LogFormatter

from .fetch_requisites import (
    ARCHIVED,
    FAILED,
    OUT_OF_SCOPE,
    OUTCOMES,
    REQUISITE,
    ROBOTS,
    SKIPPED,
    requisite_done,
)
from .pipelines import REJECTED, Dropped
from .reasons import reason_of

COVERAGE_FIELDS = ("headline", "caption", "body", "byline", "authors", "date_published",
                   "date_modified", "section", "tags", "description", "image_url", "images",
                   "language", "whatsapp_channels", "related_urls")
MAX_LISTED = 500
logger = logging.getLogger(__name__)


class QuietDropFormatter(LogFormatter):
    """Expected skips (a section page is not an article) log at DEBUG, rejections at WARNING."""

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped %(exception)s: %(url)s"
        entry["args"] = {"exception": exception, "url": getattr(exception, "url", None)}
        if isinstance(exception, Dropped) and exception.category != REJECTED:
            entry["level"] = logging.DEBUG
        return entry


class RunReport:
    """Counts a run through Scrapy signals and writes the report at the end."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.out = Path(settings.get("PRAKATA_OUT"))
        self.run_id = settings.get("PRAKATA_RUN_ID")
        self.max_error_rate = settings.getfloat("PRAKATA_MAX_ERROR_RATE")
        self.min_coverage = settings.getfloat("PRAKATA_MIN_COVERAGE")
        self.versions: Counter = Counter()
        feeds = list(settings.getdict("FEEDS"))  # ours, or what -o/-O asked for
        self.items_file = feeds[0].removeprefix("file://") if feeds else None
        self.started = time.monotonic()
        self.started_at = datetime.now(timezone.utc)
        self.statuses: Counter = Counter()
        self.types: Counter = Counter()
        self.filled: Counter = Counter()
        self.skipped: Counter = Counter()
        self.rejected: Counter = Counter()
        self.rejected_urls: dict[str, str] = {}
        self.recovered = 0  # responses that came after retries
        self.recovered_urls: dict[str, int] = {}  # URL -> retries it took
        self.requisites: Counter = Counter()  # outcome -> distinct URLs
        self.requisite_kinds: Counter = Counter()  # kind -> distinct URLs archived
        self.requisite_statuses: Counter = Counter()
        self.requisite_problems: dict[str, dict[str, str]] = {FAILED: {}, SKIPPED: {},
                                                              "refused": {}}
        self.requisite_hosts_out: Counter = Counter()  # host -> URLs left out of scope
        self.reasons: Counter = Counter()  # why each request that went out was made
        self.report: dict | None = None

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.response_received, signals.response_received)
        crawler.signals.connect(ext.request_reached_downloader,
                                signals.request_reached_downloader)
        crawler.signals.connect(ext.item_scraped, signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signals.spider_closed)
        crawler.signals.connect(ext.requisite_done, requisite_done)
        return ext

    def request_reached_downloader(self, request, spider):
        self.reasons[reason_of(request)] += 1

    def response_received(self, response, request, spider):
        if REQUISITE in request.meta:  # pages and requisites are counted apart
            self.requisite_statuses[response.status] += 1
            self.crawler.stats.inc_value("prakata/requisite_responses")
            return
        self.crawler.stats.inc_value("prakata/pages")
        self.statuses[response.status] += 1
        retries = request.meta.get("retry_times")
        if retries and 200 <= response.status < 400:
            logger.info("recovered %s after %d retries", request.url, retries)
            self.recovered += 1
            if len(self.recovered_urls) < MAX_LISTED:
                self.recovered_urls[request.url] = retries

    def requisite_done(self, requisite):
        self.requisites[requisite.outcome] += 1
        if requisite.outcome in ARCHIVED:
            self.requisite_kinds[requisite.kind] += 1
        # refused on the way: robots.txt, or a redirect out of scope (the reason says where)
        refused = requisite.outcome == ROBOTS or (requisite.outcome == OUT_OF_SCOPE
                                                   and requisite.reason)
        problems = self.requisite_problems.get("refused" if refused else requisite.outcome)
        if problems is not None and len(problems) < MAX_LISTED:
            problems[requisite.url] = requisite.reason or requisite.outcome
        if requisite.outcome == OUT_OF_SCOPE and not refused:
            self.requisite_hosts_out[urlsplit(requisite.url).netloc] += 1

    def item_scraped(self, item, response, spider):
        self.types[item["type"]] += 1
        self.versions["new" if item.get("version", 1) == 1 else "updated"] += 1
        if item["type"] == "article":
            self.filled.update(f for f in COVERAGE_FIELDS if item.get(f))

    def item_dropped(self, item, response, exception, spider):
        reason = getattr(exception, "reason", str(exception))
        if getattr(exception, "category", REJECTED) == REJECTED:
            self.rejected[reason] += 1
            if len(self.rejected_urls) < MAX_LISTED:
                self.rejected_urls[getattr(exception, "url", None) or "?"] = reason
        else:
            self.skipped[reason.split(" of ")[0]] += 1

    def _requisites_section(self) -> dict:
        """Distinct requisite URLs of the run by outcome (each counted once, however many
        pages load it), the HTTP answers to requisite requests, and what is missing."""
        counts = {outcome.replace(" ", "_").replace(".", "_"): self.requisites[outcome]
                  for outcome in OUTCOMES}
        return {
            **counts,
            "requests": sum(self.requisite_statuses.values()),
            "http_status": {str(k): v for k, v in sorted(self.requisite_statuses.items())},
            "archived_by_kind": dict(self.requisite_kinds.most_common()),
            "failed_urls": self.requisite_problems[FAILED],
            "skipped_urls": self.requisite_problems[SKIPPED],
            "refused_urls": self.requisite_problems["refused"],
            "out_of_scope_hosts": dict(self.requisite_hosts_out.most_common(50)),
        }

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = sum(self.statuses.values())
        failures = spider.fetch_failures
        failed_fetches = len(failures)
        server_errors = sum(n for code, n in self.statuses.items() if code >= 500)
        # (exceptions include the requisites': a slightly larger denominator, never more errors)
        attempts = pages + stats.get_value("downloader/exception_count", 0)
        errors = failed_fetches + sum(self.rejected.values())
        error_rate = errors / max(attempts, 1)
        ok_pages = sum(n for code, n in self.statuses.items() if 200 <= code < 400)
        status, why = "ok", None
        if ok_pages == 0:
            status, why = "unreachable", f"no page of {spider.site} could be fetched"
        elif error_rate > self.max_error_rate:
            status, why = "error_rate", (f"error rate {error_rate:.1%} above "
                                         f"{self.max_error_rate:.0%}")
        articles = self.types["article"]
        thin = [f for f in ("headline", "body")
                if articles and self.filled[f] / articles < self.min_coverage]
        if status == "ok" and thin:  # the site's layout probably changed
            status, why = "coverage", (f"{', '.join(thin)} found on fewer than "
                                       f"{self.min_coverage:.0%} of {articles} articles")
        self.report = {
            "run_id": self.run_id,
            "site": spider.site,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "finish_reason": reason,
            "status": status,
            "status_reason": why,
            "seconds": round(elapsed, 2),
            "pages": pages,
            "pages_per_second": round(pages / elapsed, 2),
            "http_status": {str(k): v for k, v in sorted(self.statuses.items())},
            "server_errors": server_errors,
            "fetch_failures": failed_fetches,
            "fetch_failure_urls": dict(list(failures.items())[:MAX_LISTED]),
            "retries": stats.get_value("retry/count", 0),
            "retry_reasons": {k.removeprefix("retry/reason_count/"): v
                              for k, v in sorted(stats.get_stats().items())
                              if k.startswith("retry/reason_count/")},
            "retry_wait_seconds": round(stats.get_value("prakata/retry_wait_seconds", 0), 2),
            "recovered": self.recovered,
            "recovered_urls": self.recovered_urls,
            "pagination_stopped": len(spider.walks_stopped),
            "pagination_stopped_urls": dict(list(spider.walks_stopped.items())[:MAX_LISTED]),
            "not_fetched_by_policy": dict(list(spider.ignored.items())[:MAX_LISTED]),
            # links to other hosts or schemes not followed; requests (redirects) refused
            "out_of_scope": {"links": stats.get_value("prakata/links_out_of_scope", 0),
                             "refused": stats.get_value("prakata/offsite_refused", 0)},
            "not_modified": len(spider.not_modified),
            "known_not_fetched": spider.known_skipped,
            "not_found": len(spider.not_found),
            "not_found_urls": spider.not_found[:MAX_LISTED],
            "articles": articles,
            "new": self.versions["new"],
            "updated": self.versions["updated"],
            "unchanged": self.skipped.get("unchanged since the last crawl", 0)
            + len(spider.not_modified),
            "channels": self.types["whatsapp_channel"],
            "rejected": sum(self.rejected.values()),
            "rejected_reasons": dict(self.rejected.most_common()),
            "rejected_urls": self.rejected_urls,
            "skipped": dict(self.skipped.most_common()),
            "error_rate": round(error_rate, 4),
            "coverage": {f: round(self.filled[f] / articles, 3) if articles else None
                         for f in COVERAGE_FIELDS},
            # multi-page articles: how each was joined; later pages no item took, and why
            "multipage_articles": dict(list(spider.multipage.items())[:MAX_LISTED]),
            "later_pages_unjoined": dict(list({
                **spider.parts_unjoined,
                **dict.fromkeys(spider.held_parts, "its first page was not fetched in this "
                                                   "run (known, or out of scope)")}.items())
                [:MAX_LISTED]),
            "requests": sum(self.reasons.values()),
            "requests_by_reason": dict(self.reasons.most_common()),
            "items_file": self.items_file,
            "requisites": self._requisites_section(),
        }
        path = self.out / "runs" / f"{self.run_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.report, indent=2, ensure_ascii=False) + "\n",
                       encoding="utf-8")
        os.replace(tmp, path)
        stats.set_value("prakata/report", str(path))
        stats.set_value("prakata/status", status)
