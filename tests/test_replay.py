"""Real pywb (in .venv-replay, started on 127.0.0.1) replays what the crawl archived."""

import gzip
import http.client
import subprocess
import time

import pytest
from conftest import free_port, start_pywb
from warcio.archiveiterator import ArchiveIterator

from prakata_crawler.warc import replay


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept-Encoding": "identity"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture(scope="module")
def payloads(mirror_crawl):
    """URL -> (content-encoding, entity body as archived) of every 200 response."""
    found = {}
    for path in sorted((mirror_crawl.out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response" and \
                        record.http_headers.get_statuscode() == "200":
                    found[record.rec_headers.get_header("WARC-Target-URI")] = (
                        record.http_headers.get_header("Content-Encoding"),
                        record.raw_stream.read())
    return found


def test_every_article_and_channel_replays_byte_for_byte(pywb, payloads, mirror_crawl):
    assert mirror_crawl.items
    for item in mirror_crawl.items:
        encoding, archived = payloads[item["url"]]
        assert encoding == "gzip"  # every page came gzip-encoded off the wire
        status, _, body = get(pywb, f"/{replay.COLLECTION}/2026id_/{item['url']}")
        assert status == 200, item["url"]
        assert body == gzip.decompress(archived), item["url"]


def test_rewritten_pages_still_show_the_headline(pywb, mirror_crawl):
    for item in mirror_crawl.items:
        status, headers, body = get(pywb, f"/{replay.COLLECTION}/2026mp_/{item['url']}")
        assert status == 200 and "text/html" in headers["content-type"]
        text = body.decode("utf-8")
        expected = item["headline"] if item["type"] == "article" else item["name"].strip()
        assert expected.replace("&", "&amp;") in text or expected in text, item["url"]


def test_a_revisit_replays_the_original_payload(mirror, tmp_path):
    from conftest import run_crawl

    first = run_crawl(mirror, tmp_path)
    run_crawl(mirror, tmp_path, "--full")  # channel pages repeat byte for byte: revisits
    channel = next(i for i in first.items if i["type"] == "whatsapp_channel")
    latest = sorted((tmp_path / "warc").glob("*.warc.gz"))[-1]
    with open(latest, "rb") as stream:
        revisit = next(r for r in ArchiveIterator(stream) if r.rec_type == "revisit"
                       and r.rec_headers.get_header("WARC-Target-URI") == channel["url"])
    date = revisit.rec_headers.get_header("WARC-Date")
    stamp = "".join(ch for ch in date if ch.isdigit())[:14]
    port = free_port()
    process = start_pywb(tmp_path, port)
    try:
        status, headers, body = get(port, f"/{replay.COLLECTION}/{stamp}id_/{channel['url']}")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert status == 200
    assert channel["name"].strip() in body.decode("utf-8")
    # the memento served is the revisit's, its bytes those of the original capture
    served = time.strptime(headers["memento-datetime"], "%a, %d %b %Y %H:%M:%S GMT")
    assert time.strftime("%Y%m%d%H%M%S", served) == stamp


def test_pack_writes_a_valid_wacz(mirror_crawl, tmp_path):
    import json
    import sys
    import zipfile

    target = tmp_path / "crawl.wacz"
    proc = subprocess.run([sys.executable, "-m", "prakata_crawler.cli", "pack", "--out",
                           str(mirror_crawl.out), "--to", str(target)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr  # `wacz validate` ran inside pack
    with zipfile.ZipFile(target) as wacz:
        names = wacz.namelist()
        pages = wacz.read("pages/pages.jsonl").decode().splitlines()
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)
    assert "datapackage.json" in names
    urls = {json.loads(line).get("url") for line in pages[1:]}
    assert urls == {item["url"] for item in mirror_crawl.items}
