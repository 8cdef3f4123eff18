"""Why each request of a run was made, so a scheduled run's cost can be read off its report.

The spider (and the requisites pipeline) put a reason in every request's meta under
:data:`REASON`; retries, redirects and the robots.txt Scrapy fetches itself are told apart
by what Scrapy leaves in the request. The run report counts requests by reason as they
reach the downloader, so the counts add up to what the site saw.
"""

from __future__ import annotations

from urllib.parse import urlsplit

REASON = "prakata_reason"  # request meta

NEW = "new URL"
LASTMOD = "lastmod newer than last fetch"
FEED_UPDATED = "feed entry updated since last fetch"
RECHECK = "within re-check window"
LISTING = "listing page"
CHANNEL = "channel page"
UNFINISHED = "failed or unfinished before"
DISCOVERY = "robots/sitemap/feed"
FULL = "full crawl"
URL_LIST = "from --urls"
RESUMED = "resumed"
FIRST_PAGE = "first page of a multi-page article"
LATER_PAGE = "later page of a multi-page article"
REQUISITE = "requisite"
RETRY = "retry"
REDIRECT = "redirect"
OTHER = "other"


def reason_of(request) -> str:
    """The reason ``request`` went out: a retry or a redirect first (the meta they copy
    still holds the first request's reason), then what the spider said."""
    meta = request.meta
    if meta.get("retry_times"):
        return RETRY
    if meta.get("redirect_times"):
        return REDIRECT
    if meta.get(REASON):
        return meta[REASON]
    return DISCOVERY if urlsplit(request.url).path == "/robots.txt" else OTHER
