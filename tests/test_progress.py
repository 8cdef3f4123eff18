import io
from types import SimpleNamespace

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from prakata_crawler.progress import Progress, progress_line


def test_progress_line_reads_the_crawl_stats():
    stats = {"response_received_count": 155, "prakata/pages": 120,
             "prakata/requisite_responses": 35, "prakata/items/article": 40,
             "prakata/items/whatsapp_channel": 2, "prakata/warc/bytes": 4_200_000}
    assert progress_line(stats, 1, 10.0) == (
        "pages 120 | requisites 35 | articles 40 | channels 2 | errors 1 | 12.0 pages/s | "
        "WARC 4.2 MB")


def test_no_progress_line_when_not_on_a_terminal():
    crawler = SimpleNamespace(settings=Settings({"PRAKATA_PROGRESS_INTERVAL": 2.0}))
    with pytest.raises(NotConfigured):
        Progress(crawler, stream=io.StringIO())  # cron, systemd, Scrapyd: quiet
