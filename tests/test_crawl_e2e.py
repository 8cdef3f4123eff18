"""End to end: ``prakata crawl`` in a subprocess against the fixture mirror on 127.0.0.1."""

import json
from pathlib import Path

import pytest
from conftest import records, without_archive

from prakata_crawler.items import validation_errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL_SITE = "https://www.prakata.com"
REAL_CHANNELS = "https://www.whatsapp.com"
REAL_CHANNEL_ASSETS = "https://pps.whatsapp.net"
URL_FIELDS = ("url", "canonical_url", "image_url", "related_urls", "whatsapp_channels", "images")


def goldens(prefix: str) -> dict:
    cases = [json.loads(p.read_text(encoding="utf-8"))
             for p in (FIXTURES / "goldens").glob(f"{prefix}-*.json")]
    return {c["expected"].get("canonical_url") or c["expected"]["url"]: c["expected"] for c in cases}


def unmirror(value, mirror):
    """Map the mirror's origins back to the real ones the goldens are written with."""
    text = json.dumps(value)
    text = text.replace(mirror.site_origin, REAL_SITE).replace(mirror.channel_origin, REAL_CHANNELS)
    if mirror.channel_asset_origin:
        text = text.replace(mirror.channel_asset_origin, REAL_CHANNEL_ASSETS)
    return json.loads(text)


@pytest.fixture(scope="module")
def crawl(mirror_crawl):
    items_files = list((mirror_crawl.out / "items").glob("*.jsonl"))
    return mirror_crawl.proc, mirror_crawl.items, mirror_crawl.report, items_files


def test_crawl_succeeds_and_writes_layout(crawl):
    proc, items, report, items_files = crawl
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(items_files) == 1 and report is not None
    assert Path(report["items_file"]).name == items_files[0].name
    assert report["status"] == "ok"


def test_every_item_validates(crawl):
    _, items, _, _ = crawl
    assert items
    for item in items:
        assert not validation_errors(item), (item["url"], validation_errors(item))


def test_every_article_once_with_expected_fields(crawl, mirror):
    _, items, report, _ = crawl
    expected = goldens("site")
    articles = [unmirror(without_archive(i), mirror) for i in items if i["type"] == "article"]
    by_url = {}
    for article in articles:
        assert article["canonical_url"] not in by_url, f"emitted twice: {article['canonical_url']}"
        by_url[article["canonical_url"]] = article
    assert set(by_url) == set(expected)
    for key, want in expected.items():
        got = by_url[key]
        wrong = {f: (got[f], v) for f, v in want.items() if got[f] != v}
        assert not wrong, f"{key}: {wrong}"
    assert report["articles"] == len(expected)


def test_every_channel_once(crawl, mirror):
    _, items, report, _ = crawl
    expected = goldens("channel")
    channels = [unmirror(without_archive(i), mirror) for i in items
                if i["type"] == "whatsapp_channel"]
    assert sorted(c["url"] for c in channels) == sorted(expected)
    for channel in channels:
        want = expected[channel["url"]]
        assert {k: channel[k] for k in want} == want
    assert report["channels"] == len(expected)


def test_report_counts_rejects_and_coverage(crawl):
    _, _, report, _ = crawl
    assert any("channel not found" in reason for reason in report["rejected_reasons"])
    assert report["coverage"]["headline"] == 1.0 and report["coverage"]["body"] == 1.0
    assert report["pages"] > report["articles"] + report["channels"]
    assert any(reason.startswith("not an article") for reason in report["skipped"])



def test_every_image_an_item_names_is_in_the_archive_under_its_digest(mirror_crawl):
    """The photos (and the channels' avatars) can be pulled from the WARC by the digest
    the item gives: a response record of that URL with that payload digest."""
    archived = {(r.rec_headers.get_header("WARC-Target-URI"),
                 r.rec_headers.get_header("WARC-Payload-Digest")): body
                for _, r, body in records(mirror_crawl.out) if r.rec_type == "response"}
    images = 0
    for item in mirror_crawl.items:
        named = [(i["url"], i["archived"], i["payload_digest"]) for i in item.get("images", [])]
        if item.get("image_url"):
            named.append((item["image_url"], item["image_archived"],
                          item["image_payload_digest"]))
        for url, is_archived, digest in named:
            assert is_archived and archived.get((url, digest)), (item["url"], url)
            images += 1
    assert images >= 40
