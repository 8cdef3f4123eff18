from collections import Counter
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.settings import Settings

from prakata_crawler import settings as project_settings
from prakata_crawler.fetch_requisites import REQUISITE
from prakata_crawler.middlewares import SiteScopeMiddleware


class Stats(Counter):
    def inc_value(self, key, count=1):
        self[key] += count


@pytest.fixture
def scope():
    spider = SimpleNamespace(site="https://www.prakata.com",
                             channel_hosts=frozenset({"whatsapp.com", "www.whatsapp.com"}))
    settings = Settings()
    settings.setmodule(project_settings)
    settings.set("PRAKATA_REQUISITE_HOSTS", ["i0.wp.com"])
    return SiteScopeMiddleware(SimpleNamespace(spider=spider, stats=Stats(), settings=settings))


@pytest.mark.parametrize("url", ["https://www.prakata.com/2025/12/a.html", "http://prakata.com/",
                                 "https://whatsapp.com/channel/0029VaPrakataTgr7Xk2mQ9L"])
def test_site_and_channel_hosts_pass(scope, url):
    assert scope.process_request(Request(url)) is None


@pytest.mark.parametrize("url", ["https://evil.example/", "http://127.0.0.1:22/",
                                 "https://prakata.com.evil.example/", "https://chat.whatsapp.com/x",
                                 "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                                 "http://user@www.prakata.com/", "http://2130706433/",
                                 "file:///etc/passwd", "data:text/plain,x"])
def test_other_hosts_are_refused_and_counted(scope, url):
    with pytest.raises(IgnoreRequest):
        scope.process_request(Request(url))
    assert scope.crawler.stats["prakata/offsite_refused"] == 1


@pytest.mark.parametrize("url, page", [
    ("https://cdn.prakata.com/storage/a.jpg", "page"),  # the site's own asset host
    ("https://i0.wp.com/www.prakata.com/a.jpg", "page"),  # PRAKATA_REQUISITE_HOSTS
    ("https://pps.whatsapp.net/v/t61/a.jpg", "channel"),  # a channel page's avatar
])
def test_requisites_may_come_from_asset_hosts(scope, url, page):
    assert scope.process_request(Request(url, meta={REQUISITE: page})) is None


@pytest.mark.parametrize("url, meta", [
    ("https://cdn.prakata.com/2025/12/a.html", {}),  # a page is not a requisite
    ("https://pps.whatsapp.net/v/t61/a.jpg", {REQUISITE: "page"}),  # avatars: channels only
    ("https://www.googletagmanager.com/gtag/js", {REQUISITE: "page"}),  # never trackers
    ("https://www.prakata.com.evil.example/a.jpg", {REQUISITE: "page"}),
    ("http://169.254.169.254/latest/meta-data/", {REQUISITE: "page"}),
    ("https://evil.example/robots.txt", {"dont_obey_robotstxt": True}),
])
def test_requisite_scope_is_no_wider(scope, url, meta):
    with pytest.raises(IgnoreRequest):
        scope.process_request(Request(url, meta=meta))


def test_robots_txt_of_an_asset_host_may_be_read(scope):
    request = Request("https://cdn.prakata.com/robots.txt", meta={"dont_obey_robotstxt": True})
    assert scope.process_request(request) is None


def test_non_http_schemes_are_refused(scope):
    with pytest.raises(IgnoreRequest):
        scope.process_request(Request("ftp://www.prakata.com/file"))


def test_scope_runs_before_anything_is_sent():
    """First of all downloader middlewares (robots.txt, cookies, retries come after), and
    no download handler exists for file:, data:, ftp: or s3: even if it were bypassed."""
    from prakata_crawler import settings

    order = sorted((v, k) for k, v in settings.DOWNLOADER_MIDDLEWARES.items() if v is not None)
    assert order[0][1] == "prakata_crawler.middlewares.SiteScopeMiddleware"
    assert order[0][0] < 100  # RobotsTxtMiddleware
    assert all(settings.DOWNLOAD_HANDLERS[s] is None for s in ("file", "data", "ftp", "s3"))


def test_retry_after_forms():
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime

    from scrapy.http import Response

    from prakata_crawler.middlewares import retry_after

    assert retry_after(Response("http://x/", headers={"Retry-After": "7"})) == 7
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after(Response("http://x/", headers={"Retry-After": later})) <= 30
    assert retry_after(Response("http://x/")) is None
    assert retry_after(Response("http://x/", headers={"Retry-After": "soon"})) is None
