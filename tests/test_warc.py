"""The crawl's WARC archive: standard, complete, verifiable, re-extractable, and repairable
after a SIGKILL."""

import gzip
import hashlib
import json
import signal
import subprocess
import sys
import time
from base64 import b32encode
from pathlib import Path

import pytest
from conftest import FAST, prakata, records, run_crawl, statuses
from warcio.archiveiterator import ArchiveIterator

from prakata_crawler.warc.index import index_files


def reextracted(out: Path, target: Path) -> list[dict]:
    proc = prakata("reextract", "--out", str(out), "--to", str(target))
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in target.read_text().splitlines()]


def without_clock(items: list[dict]) -> list[str]:
    """Items comparable across live and re-extracted runs (all but ``crawled_at``)."""
    return sorted(json.dumps({k: v for k, v in i.items() if k != "crawled_at"}, sort_keys=True)
                  for i in items)


@pytest.fixture(scope="module")
def archive(mirror_crawl):
    assert mirror_crawl.proc.returncode == 0, mirror_crawl.proc.stderr[-2000:]
    return mirror_crawl.out, list(records(mirror_crawl.out))


def test_warcio_check_and_prakata_verify_pass(archive):
    out, _ = archive
    files = sorted(str(p) for p in (out / "warc").glob("*.warc.gz"))
    assert files and not list((out / "warc").glob("*.open"))
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *files],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    verify = prakata("verify", "--out", str(out))
    assert verify.returncode == 0, verify.stderr
    assert "0 problems" in verify.stderr


def test_warcinfo_first_with_crawl_facts(archive):
    _, recs = archive
    name, first, body = recs[0]
    assert first.rec_type == "warcinfo"
    fields = body.decode()
    for key in ("software:", "hostname:", "operator:", "robots: obey", "isPartOf:",
                "http-header-user-agent: prakata-crawler", "format: WARC File Format 1.1",
                "conformsTo:"):
        assert key in fields
    assert first.rec_headers.get_header("WARC-Filename") == name


def test_responses_keep_wire_bytes_and_all_headers(archive):
    _, recs = archive
    gzipped = [(r, body) for _, r, body in recs if r.rec_type == "response"
               and r.http_headers.get_header("Content-Encoding") == "gzip"]
    assert gzipped, "the mirror serves gzip: responses must be archived still encoded"
    for record, body in gzipped:
        gzip.decompress(body)  # a real gzip stream, not a decoded body
        assert record.http_headers.get_header("Content-Length") == str(len(body))
        digest = "sha1:" + b32encode(hashlib.sha1(body).digest()).decode()
        assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
        assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    html = [r for r, _ in gzipped if "text/html" in r.http_headers.get_header("Content-Type")]
    cookies = [v for k, v in html[0].http_headers.headers if k.lower() == "set-cookie"]
    assert len(cookies) == 2  # XSRF-TOKEN and the session cookie, both kept


def test_requests_are_linked_and_as_sent(archive):
    _, recs = archive
    responses = {r.rec_headers.get_header("WARC-Record-ID"): r for _, r, _ in recs
                 if r.rec_type in {"response", "revisit"}}
    requests = [r for _, r, _ in recs if r.rec_type == "request"]
    assert len(requests) == len(responses)
    for request in requests:
        response = responses[request.rec_headers.get_header("WARC-Concurrent-To")]
        assert response.rec_headers.get_header("WARC-Target-URI") == \
            request.rec_headers.get_header("WARC-Target-URI")
        assert request.http_headers.get_header("Accept-Encoding") == "gzip, deflate"
        assert request.http_headers.get_header("User-Agent").startswith("prakata-crawler/")
    lines = {r.http_headers.protocol + " " + r.http_headers.statusline for r in requests}
    assert any(line.startswith("GET /kategori/pemerintahan?page=2 ") for line in lines)


def test_every_exchange_is_archived_including_redirects_and_errors(archive, mirror_crawl):
    _, recs = archive
    statuses = {r.http_headers.get_statuscode() for _, r, _ in recs if r.rec_type == "response"}
    assert {"200", "301", "404"} <= statuses
    uris = {r.rec_headers.get_header("WARC-Target-URI") for _, r, _ in recs
            if r.rec_type == "response"}
    assert any(u.endswith("/robots.txt") for u in uris)
    assert any(u.endswith("/sitemap.xml") for u in uris)
    for item in mirror_crawl.items:
        assert item["url"] in uris, item["url"]
    assert mirror_crawl.report["pages"] <= len(uris) + 2


def test_every_item_has_a_metadata_record(archive, mirror_crawl):
    _, recs = archive
    meta = {r.rec_headers.get_header("WARC-Target-URI"): body.decode()
            for _, r, body in recs if r.rec_type == "metadata"}
    for item in mirror_crawl.items:
        assert "outcome: ok" in meta[item["url"]]
    dead = [body for uri, body in meta.items() if "0029VbX0dEadCh4nnel00Zzq" in uri]
    assert dead and "outcome: rejected" in dead[0] and "channel not found" in dead[0]
    article = next(i for i in mirror_crawl.items if i["type"] == "article")
    assert f"content-sha256: {article['content_sha256']}" in meta[article["url"]]
    assert "outlink: " in meta[article["url"]]


def test_index_covers_every_response(archive):
    out, recs = archive
    lines = [json.loads(line.split(" ", 2)[2]) for path in (out / "indexes").glob("*.cdxj")
             for line in path.read_text().splitlines()]
    indexed = {(entry["filename"], int(entry["offset"])) for entry in lines}
    assert len(indexed) >= sum(r.rec_type == "response" for _, r, _ in recs)


def assert_index_as_cdxj_indexer_makes_it(out: Path, scratch: Path) -> None:
    """The index lines the crawl wrote with its records are, byte for byte, what
    cdxj-indexer makes of the closed files, and no partial index is left behind."""
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert files
    for path in files:
        ours = (out / "indexes" / (path.name + ".cdxj")).read_text()
        theirs = index_files([path], scratch / (path.name + ".cdxj")).read_text()
        assert ours == theirs, path.name
    assert sorted(p.name for p in (out / "indexes").iterdir()) == \
        sorted(p.name + ".cdxj" for p in files)


def test_index_written_with_the_records_is_cdxj_indexers(archive, tmp_path):
    out, _ = archive
    assert_index_as_cdxj_indexer_makes_it(out, tmp_path)


def test_reextract_equals_the_live_items(archive, mirror_crawl, tmp_path):
    out, _ = archive
    again = reextracted(out, tmp_path / "again.jsonl")
    assert without_clock(again) == without_clock(mirror_crawl.items)


def test_files_rotate_and_each_starts_with_warcinfo(mirror, tmp_path):
    crawl = run_crawl(mirror, tmp_path, "-s", "PRAKATA_WARC_MAX_SIZE=300000")
    assert crawl.proc.returncode == 0, crawl.proc.stderr[-2000:]
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    serials = [int(f.name.split("-")[2]) for f in files]
    assert serials == list(range(1, len(files) + 1))
    for path in files:
        with open(path, "rb") as stream:
            assert next(iter(ArchiveIterator(stream))).rec_type == "warcinfo"
    assert prakata("verify", "--out", str(tmp_path)).returncode == 0
    # all but the last were closed mid-crawl, and sorted in a child process
    assert_index_as_cdxj_indexer_makes_it(tmp_path, tmp_path / "scratch")


def test_sigkill_leaves_a_repairable_archive(mirror, tmp_path):
    channel_host = mirror.channel_origin.split("://", 1)[1]
    slow = [a if a != "DOWNLOAD_DELAY=0" else "DOWNLOAD_DELAY=0.05" for a in FAST]
    slow = [a if a != "CONCURRENT_REQUESTS_PER_DOMAIN=16" else "CONCURRENT_REQUESTS_PER_DOMAIN=1"
            for a in slow] + ["-s", "PRAKATA_WARC_MAX_SIZE=150000"]  # rotate before the kill
    proc = subprocess.Popen([sys.executable, "-m", "prakata_crawler.cli", "crawl", "--site",
                             mirror.site_origin, "--channel-host", channel_host, "--out",
                             str(tmp_path), *slow], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until a file rotated and articles are out
        items = list((tmp_path / "items").glob("*.jsonl"))
        closed = list((tmp_path / "warc").glob("*.warc.gz"))
        if closed and items and items[0].read_text().count("\n") >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    open_files = list((tmp_path / "warc").glob("*.warc.gz.open"))
    assert len(open_files) <= 1  # none when the kill fell between a rotation and a write
    if open_files:
        assert prakata("verify", "--out", str(tmp_path)).returncode != 0
    repaired = prakata("verify", "--out", str(tmp_path), "--repair")
    assert repaired.returncode == 0, repaired.stderr
    assert not list((tmp_path / "warc").glob("*.open"))
    assert not list((tmp_path / "indexes").glob("*.partial"))  # indexed from the records
    uris = {r.rec_headers.get_header("WARC-Target-URI") for _, r, _ in records(tmp_path)
            if r.rec_type == "response"}
    lines = next((tmp_path / "items").glob("*.jsonl")).read_text().split("\n")
    complete = [json.loads(line) for line in lines[:-1]]  # the last may be cut mid-line
    assert len(complete) >= 3
    assert all(item["url"] in uris for item in complete)
    metadata = {r.rec_headers.get_header("WARC-Target-URI") for _, r, _ in records(tmp_path)
                if r.rec_type == "metadata"}
    # the metadata record follows the item's export: a kill between them may drop the last
    assert all(item["url"] in metadata for item in complete[:-1])
    assert prakata("verify", "--out", str(tmp_path)).returncode == 0  # and stays valid


def test_verify_names_corruption_and_missing_files(mirror, tmp_path):
    crawl = run_crawl(mirror, tmp_path, "-s", "PRAKATA_WARC_MAX_SIZE=300000")
    assert crawl.proc.returncode == 0
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    data = bytearray(files[0].read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped bit in the middle of a record
    files[0].write_bytes(bytes(data))
    files[-1].unlink()  # a file the index still points at
    proc = prakata("verify", "--out", str(tmp_path))
    assert proc.returncode == 6
    assert f"{files[0].name} offset" in proc.stderr and "corrupt gzip member" in proc.stderr
    assert f"index points at {files[-1].name}" in proc.stderr


def test_recrawl_writes_changed_bytes_revisits_repeated_ones_and_no_unchanged_items(
        mirror, tmp_path):
    first = run_crawl(mirror, tmp_path)
    second = run_crawl(mirror, tmp_path, "--full")  # fetch everything again
    assert first.proc.returncode == second.proc.returncode == 0
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) == 2
    with open(files[1], "rb") as stream:
        records_2 = [r for r in ArchiveIterator(stream)]
    revisited = {r.rec_headers.get_header("WARC-Target-URI") for r in records_2
                 if r.rec_type == "revisit"}
    rewritten = {r.rec_headers.get_header("WARC-Target-URI") for r in records_2
                 if r.rec_type == "response" and r.http_headers.get_statuscode() == "200"}
    articles = [i["url"] for i in first.items if i["type"] == "article"]
    channels = [i["url"] for i in first.items if i["type"] == "whatsapp_channel"]
    # article pages carry a fresh CSRF token each time: their bytes changed, a revisit
    # would be false; channel pages and sitemaps repeat byte for byte
    assert set(articles) <= rewritten and not set(articles) & revisited
    assert set(channels) <= revisited
    for record in records_2:
        if record.rec_type == "revisit":
            assert record.rec_headers.get_header("WARC-Profile") == \
                "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
            assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == \
                record.rec_headers.get_header("WARC-Target-URI")
            assert record.rec_headers.get_header("WARC-Refers-To-Date")
    # ... and the content did not change, so no item is emitted again
    assert second.report["articles"] == second.report["channels"] == 0
    assert second.report["skipped"]["unchanged since the last crawl"] == len(first.items)
    assert prakata("verify", "--out", str(tmp_path)).returncode == 0
    assert_index_as_cdxj_indexer_makes_it(tmp_path, tmp_path / "scratch")  # revisits too


def test_http_cache_hits_are_not_archived_twice(mirror, tmp_path):
    cache = ["-s", "HTTPCACHE_ENABLED=1", "-s", f"HTTPCACHE_DIR={tmp_path / 'cache'}"]
    first = run_crawl(mirror, tmp_path / "a", *cache)
    assert first.proc.returncode == 0
    # A second archive fed only by the cache: every page is archived once, with its
    # original fetch time, because that archive holds no capture of it yet.
    second = run_crawl(mirror, tmp_path / "b", *cache)
    assert second.proc.returncode == 0
    assert sorted(statuses(tmp_path / "b")) == sorted(statuses(tmp_path / "a"))
    # Fed by the cache again into the same archive: nothing is written again.
    before = sorted((tmp_path / "b" / "warc").glob("*.warc.gz"))
    third = run_crawl(mirror, tmp_path / "b", *cache)
    assert third.proc.returncode == 0 and third.report["articles"] == 0  # all unchanged
    assert sorted((tmp_path / "b" / "warc").glob("*.warc.gz")) == before


def test_repair_cuts_a_half_written_record(archive, tmp_path):
    out, _ = archive
    source = sorted((out / "warc").glob("*.warc.gz"))[0]
    whole = len([r for r in ArchiveIterator(open(source, "rb"))])
    (tmp_path / "warc").mkdir()
    (tmp_path / "indexes").mkdir()
    cut = tmp_path / "warc" / (source.name + ".open")
    half = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + b"x" * 5000)
    cut.write_bytes(source.read_bytes() + half[: len(half) // 2])
    # the lines the killed crawl had written so far, the last one cut short
    ours = (out / "indexes" / (source.name + ".cdxj")).read_text()
    (tmp_path / "indexes" / (source.name + ".cdxj.partial")).write_text(ours[: len(ours) // 2])
    # a file opened just before the kill, with nothing in it yet
    (tmp_path / "warc" / "prakata-2-00002-vm.warc.gz.open").write_bytes(b"")
    (tmp_path / "indexes" / "prakata-2-00002-vm.warc.gz.cdxj.partial").write_text("")
    assert prakata("verify", "--out", str(tmp_path)).returncode == 6
    repaired = prakata("verify", "--out", str(tmp_path), "--repair")
    assert repaired.returncode == 0, repaired.stderr
    closed = tmp_path / "warc" / source.name
    assert closed.read_bytes() == source.read_bytes()
    assert len([r for r in ArchiveIterator(open(closed, "rb"))]) == whole
    assert_index_as_cdxj_indexer_makes_it(tmp_path, tmp_path / "scratch")


def test_reextract_follows_revisits_and_run_bounds(mirror, tmp_path):
    bounded = run_crawl(mirror, tmp_path, "--max-articles", "3", "--since", "2025-11-20")
    again = run_crawl(mirror, tmp_path, "--full")  # revisits and unchanged items now
    assert bounded.proc.returncode == again.proc.returncode == 0
    rebuilt = reextracted(tmp_path, tmp_path / "again.jsonl")
    assert len(bounded.items) < len(again.items)  # the second read both runs' item files
    assert without_clock(rebuilt) == without_clock(again.items)
    assert not list((tmp_path / "items").glob("reextract*"))


def test_reextract_without_an_archive_is_an_error(tmp_path):
    proc = prakata("reextract", "--out", str(tmp_path / "nothing"))
    assert proc.returncode == 2 and "no WARC files" in proc.stderr
