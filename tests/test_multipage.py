"""Multi-page articles crawled: one item from all pages, each page fetched once and archived,
re-extraction joining them the same way, caps, loops and missing pages reported."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MirrorOrigins, records, run_crawl, without_archive

from prakata_crawler.mirror import DEFAULT_FIXTURES_DIR, free_ports, start_mirror_process

GOLDENS = Path(__file__).resolve().parents[1] / "fixtures" / "goldens"
PASAR = "/2025/12/menelusuri-jejak-pasar-lama-tangerang-denyut-ekonomi-sejak-zaman-kolonial.html"
OPINI = "/opini/catatan-dari-cisadane-sungai-yang-menghidupi-kota/"


def golden(name: str) -> dict:
    return json.loads((GOLDENS / f"{name}.json").read_text(encoding="utf-8"))["expected"]


def rebased(value, origin: str):
    """A golden's value with the real site's origin replaced by the mirror's."""
    return json.loads(json.dumps(value).replace("https://www.prakata.com", origin))


def fetched(out: Path, url: str) -> list[str]:
    """HTTP statuses of the archived responses for ``url``."""
    return [r.http_headers.get_statuscode() for _, r, _ in records(out)
            if r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == url]


def items_at(crawl, path: str) -> list[dict]:
    return [i for i in crawl.items if i["url"].endswith(path)]


@pytest.mark.parametrize("path, name", [(PASAR, "site-multipage-pasar-lama-show-all"),
                                        (OPINI, "site-multipage-opini-cisadane")])
def test_one_item_with_every_page_joined(mirror_crawl, mirror, path, name):
    site = mirror.site_origin
    (item,) = items_at(mirror_crawl, path)
    expected = rebased(golden(name), site)
    got = without_archive(item)
    assert {k: got[k] for k in expected} == expected
    assert item["images"][0]["archived"]  # page 1's photo, a requisite of the joined pages
    for page in item["pages"]:
        assert fetched(mirror_crawl.out, page) == ["200"]  # archived, and fetched once
    report = mirror_crawl.report
    assert site + path in report["multipage_articles"]


def test_the_show_all_view_is_preferred_and_later_pages_are_never_items(mirror_crawl, mirror):
    site = mirror.site_origin
    assert fetched(mirror_crawl.out, f"{site}{PASAR}?page=all") == ["200"]
    assert fetched(mirror_crawl.out, f"{site}{PASAR}?page=2") == []  # not needed
    assert not [i for i in mirror_crawl.items if "?page=" in i["url"] or i["url"].endswith(
        ("/2/", "/3/"))]
    # page 2 of the opinion piece is linked from the home page: reached first, it waited for
    # its first page instead of being fetched again
    assert fetched(mirror_crawl.out, f"{site}{OPINI}2/") == ["200"]
    assert mirror_crawl.report["later_pages_unjoined"] == {}
    reasons = mirror_crawl.report["requests_by_reason"]
    assert reasons.get("later page of a multi-page article", 0) >= 2  # ?page=all, /3/


def test_reextract_joins_the_pages_the_live_run_joined(mirror_crawl, tmp_path):
    target = tmp_path / "again.jsonl"
    proc = subprocess.run([sys.executable, "-m", "prakata_crawler.cli", "reextract", "--out",
                           str(mirror_crawl.out), "--to", str(target)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rebuilt = [json.loads(line) for line in target.read_text().splitlines()]
    for path in (PASAR, OPINI):
        (live,) = items_at(mirror_crawl, path)
        (again,) = [i for i in rebuilt if i["url"].endswith(path)]
        assert {**again, "crawled_at": None} == {**live, "crawled_at": None}


def crawl_changed(tmp_path, change, *args):
    """Crawl a copy of the fixture world after ``change(fixtures)``."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, fixtures)
    change(fixtures)
    site_port, channel_port, asset_port = free_ports(3)
    with start_mirror_process(fixtures, site_port=site_port, channel_port=channel_port,
                              channel_asset_port=asset_port) as mirror:
        origins = MirrorOrigins(mirror.site, mirror.channel, mirror.channel_assets)
        return origins, run_crawl(origins, tmp_path / "archive", *args)


def test_a_page_cap_is_reported_and_the_item_holds_the_pages_before_it(tmp_path):
    origins, crawl = crawl_changed(tmp_path, lambda fixtures: None,
                                   "-s", "PRAKATA_MAX_ARTICLE_PAGES=2")
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-2000:]
    (item,) = items_at(crawl, OPINI)
    assert item["pages"] == [origins.site_origin + OPINI, origins.site_origin + OPINI + "2/"]
    assert "Penulis adalah pegiat" not in item["body"]  # page 3
    how = crawl.report["multipage_articles"][origins.site_origin + OPINI]
    assert "PRAKATA_MAX_ARTICLE_PAGES" in how and "first 2 pages" in how


def loop_and_gap(fixtures: Path) -> None:
    """Page 3 of the opinion piece says its next page is page 2; the other article's
    show-all view and its page 3 are gone."""
    page3 = fixtures / "site" / OPINI.strip("/") / "3" / "index.html"
    text = page3.read_text(encoding="utf-8")
    page3.write_text(text.replace("</head>", '<link rel="next" href="https://www.prakata.com'
                                  f'{OPINI}2/">\n</head>', 1), encoding="utf-8")
    routes = json.loads((fixtures / "routes.json").read_text())
    routes["routes"] = [r for r in routes["routes"]
                        if r["path"] not in {f"{PASAR}?page=all", f"{PASAR}?page=3"}]
    (fixtures / "routes.json").write_text(json.dumps(routes))


def test_a_next_loop_stops_and_a_missing_page_rejects_the_article(tmp_path):
    origins, crawl = crawl_changed(tmp_path, loop_and_gap)
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-2000:]
    site = origins.site_origin
    (item,) = items_at(crawl, OPINI)
    assert len(item["pages"]) == 3 and "Penulis adalah pegiat" in item["body"]
    assert "points back to" in crawl.report["multipage_articles"][site + OPINI]
    # no show-all view: pages 1 and 2 were read, page 3 is missing -- no half article
    assert items_at(crawl, PASAR) == []
    reason = crawl.report["rejected_urls"][site + PASAR]
    assert reason == f"multi-page article incomplete: page 3 ({site}{PASAR}?page=3): HTTP 404"
    assert fetched(crawl.out, f"{site}{PASAR}?page=2") == ["200"]
