"""A scheduled re-crawl of a site that changed: new, edited and deleted articles."""

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import MirrorOrigins, run_crawl
from warcio.archiveiterator import ArchiveIterator

from prakata_crawler.items import fingerprint, validation_errors
from prakata_crawler.mirror import DEFAULT_FIXTURES_DIR, free_ports, start_mirror_process

SEED = "/2025/12/hut-ke-54-korpri-wali-kota-tangerang-tekankan-pelayanan-nyata-dan-kolaborasi-untuk-warga.html"
DELETED = "/2025/12/harga-cabai-rawit-di-pasar-anyar-tembus-rp80-ribu-per-kilogram.html"
NEW = "/2025/12/pemkot-tangerang-resmikan-taman-baru-di-cipondoh.html"


def change_site(fixtures):
    """Edit the seed article, delete one article, publish a new one linked from home, and
    change the site's stylesheet."""
    css = fixtures / "site" / "css" / "app.css"
    css.write_text(css.read_text(encoding="utf-8") + ".badge{color:#c8102e}\n", encoding="utf-8")
    seed = fixtures / "site" / SEED.lstrip("/")
    seed.write_text(seed.read_text(encoding="utf-8").replace(
        "Semangat melayani bukan sekadar slogan.", "Semangat melayani bukan sekadar semboyan."),
        encoding="utf-8")
    routes = json.loads((fixtures / "routes.json").read_text())
    routes["routes"] = [r for r in routes["routes"] if r["path"] != DELETED]
    page = (fixtures / "site" / SEED.lstrip("/")).read_text(encoding="utf-8")
    new_page = page.replace("HUT Ke-54 KORPRI, Wali Kota Tangerang Tekankan Pelayanan Nyata dan "
                            "Kolaborasi untuk Warga", "Pemkot Tangerang Resmikan Taman Baru di "
                            "Cipondoh").replace(SEED, NEW)
    (fixtures / "site" / NEW.lstrip("/")).write_text(new_page, encoding="utf-8")
    routes["routes"].append({"host": "site", "path": NEW, "file": "site" + NEW})
    (fixtures / "routes.json").write_text(json.dumps(routes))
    home = fixtures / "site" / "index.html"
    text = home.read_text(encoding="utf-8")
    home.write_text(text.replace("</main>", f'<a href="https://www.prakata.com{NEW}">Taman</a>'
                                 "</main>", 1), encoding="utf-8")


def crawl_twice(tmp_path, *args):
    """Crawl the mirror, change the site, crawl again into the same archive."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, fixtures)
    site_port, channel_port, asset_port = free_ports(3)
    out = tmp_path / "archive"
    runs = []
    for step in range(2):
        if step:
            change_site(fixtures)
        with start_mirror_process(fixtures, site_port=site_port, channel_port=channel_port,
                                  channel_asset_port=asset_port) as mirror:
            origins = MirrorOrigins(mirror.site, mirror.channel, mirror.channel_assets)
            runs.append(run_crawl(origins, out, *args))
    return origins, out, runs


@pytest.fixture
def two_runs(tmp_path):
    # the fixture articles date from 2025: a wide window makes them "recent", so the
    # second run re-checks them with conditional requests
    return crawl_twice(tmp_path, "-s", "PRAKATA_RECHECK_DAYS=3650")


def test_second_run_emits_only_new_and_changed_items(two_runs):
    origins, out, (first, second) = two_runs
    assert first.proc.returncode == second.proc.returncode == 0, second.proc.stderr[-2000:]
    files = sorted((out / "items").glob("*.jsonl"))
    emitted = [json.loads(line) for line in files[1].read_text().splitlines()]
    by_path = {item["url"].removeprefix(origins.site_origin): item for item in emitted}
    assert set(by_path) == {SEED, NEW}
    edited, new = by_path[SEED], by_path[NEW]
    old = next(i for i in first.items if i["url"].endswith(SEED))
    assert edited["version"] == 2 and edited["previous_sha256"] == fingerprint(old)
    assert "semboyan" in edited["body"] and edited["content_sha256"] != old["content_sha256"]
    assert new["version"] == 1 and new["previous_sha256"] is None
    assert all(not validation_errors(item) for item in emitted)
    # unchanged pages answer 304 to "changed since?"; redirects and gone pages are not
    # asked again, nor the pagination of index pages that show nothing new
    assert second.report["not_modified"] >= 19 and second.report["known_not_fetched"] > 0
    assert second.report["http_status"].get("200", 0) < 10
    latest = sorted((out / "warc").glob("*.warc.gz"))[-1]
    with open(latest, "rb") as stream:
        profiles = [r.rec_headers.get_header("WARC-Profile") for r in ArchiveIterator(stream)
                    if r.rec_type == "revisit"]
    assert profiles.count("http://netpreserve.org/warc/1.1/revisit/server-not-modified") \
        == second.report["not_modified"]
    verify = subprocess.run([sys.executable, "-m", "prakata_crawler.cli", "verify", "--out",
                             str(out)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    assert any(u.endswith(DELETED) for u in second.report["not_found_urls"])


def test_a_recrawl_asks_again_for_no_requisite_the_archive_holds(two_runs):
    """Within PRAKATA_REQUISITE_RECHECK_DAYS the archive's copies are reused: no request, and
    the new article's photo (the seed's, archived by the first run) is marked archived."""
    origins, _, (first, second) = two_runs
    assert first.report["requisites"]["fetched"] >= 60
    requisites = second.report["requisites"]
    assert requisites["requests"] == 0 and requisites["fetched"] == 0
    assert requisites["reused"] >= 20  # those of the pages fetched in full (not the 304s)
    new = next(i for i in second.items if i["url"].endswith(NEW))
    seed = next(i for i in first.items if i["url"].endswith(SEED))
    assert new["images"][0]["archived"]
    assert new["images"][0]["payload_digest"] == seed["images"][0]["payload_digest"]


def test_requisites_past_the_window_are_asked_changed_since(tmp_path):
    """Past the window every requisite gets a conditional request: unchanged ones answer 304
    and become revisit records, the changed stylesheet is archived again in full."""
    origins, out, (first, second) = crawl_twice(
        tmp_path, "-s", "PRAKATA_RECHECK_DAYS=3650", "-s", "PRAKATA_REQUISITE_RECHECK_DAYS=0")
    assert second.proc.returncode == 0, second.proc.stderr[-2000:]
    requisites = second.report["requisites"]
    css = origins.site_origin + "/css/app.css?id=7c1d6f0e3b2a94d58e61"
    assert requisites["fetched"] == 1, requisites  # the stylesheet that changed
    assert requisites["revisit"] >= 20 and requisites["http_status"] == {
        "200": 1, "304": requisites["revisit"]}
    latest = sorted((out / "warc").glob("*.warc.gz"))[-1]
    with open(latest, "rb") as stream:
        revisits = {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)
                    if r.rec_type == "revisit"}
    assert css not in revisits
    assert origins.site_origin + "/images/logo-prakata.png" in revisits


def test_reextract_rebuilds_every_version(two_runs, tmp_path):
    _, out, (first, second) = two_runs
    target = tmp_path / "again.jsonl"
    proc = subprocess.run([sys.executable, "-m", "prakata_crawler.cli", "reextract", "--out",
                           str(out), "--to", str(target)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rebuilt = [json.loads(line) for line in target.read_text().splitlines()]

    def comparable(items):
        return sorted(json.dumps({k: v for k, v in i.items() if k != "crawled_at"},
                                 sort_keys=True) for i in items)

    assert comparable(rebuilt) == comparable(second.items)  # both runs' item files
    assert sorted(i["version"] for i in rebuilt).count(2) == 1


def test_old_articles_are_not_fetched_again(tmp_path):
    origins, out, (first, second) = crawl_twice(tmp_path)  # default window: 3 days
    assert second.proc.returncode == 0, second.proc.stderr[-2000:]
    emitted = [json.loads(line) for line in
               sorted((out / "items").glob("*.jsonl"))[1].read_text().splitlines()]
    assert [i["url"].removeprefix(origins.site_origin) for i in emitted] == [NEW]
    fetched = second.report["pages"]
    assert fetched <= 15, second.report["http_status"]  # vs 91 in the first run
    assert first.report["pages"] > 80


EDITED = "/2025/11/dprd-kota-tangerang-sahkan-apbd-2026-sebesar-rp51-triliun.html"
FEED_EDITED = "/2025/11/pemkot-tangerang-buka-pendaftaran-beasiswa-kuliah-untuk-1500-mahasiswa.html"
NEW_ONES = ("/2025/12/festival-cisadane-2025-digelar-tiga-hari.html",
            "/2025/12/pemkot-tangerang-buka-layanan-adminduk-keliling.html")


def correct_old_articles(fixtures, now: str) -> None:
    """A correction to an old article (its body, its sitemap lastmod and the sitemap index's),
    another corrected with only its Atom entry's <updated> moving, and two new articles."""
    site = fixtures / "site"

    def edit(path, old, new):
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit(site / EDITED.lstrip("/"), "</p>", " (Koreksi: nilai APBD telah diperbarui.)</p>")
    edit(site / "sitemap-posts-2025-11.xml", "<loc>https://www.prakata.com" + EDITED
         + "</loc>\n    <lastmod>2025-11-28T15:10:00+07:00", "<loc>https://www.prakata.com"
         + EDITED + "</loc>\n    <lastmod>" + now)
    edit(site / FEED_EDITED.lstrip("/"), "</p>", " (Ralat: kuota beasiswa bertambah.)</p>")
    edit(site / "feed-atom.xml", "<published>2025-11-25T09:40:00+07:00</published>\n"
         "    <updated>2025-11-25T09:40:00+07:00", "<published>2025-11-25T09:40:00+07:00"
         "</published>\n    <updated>" + now)
    seed = (site / SEED.lstrip("/")).read_text(encoding="utf-8")
    routes = json.loads((fixtures / "routes.json").read_text())
    entries = ""
    for n, path in enumerate(NEW_ONES):
        title = f"Berita Baru Nomor {n + 1} dari Pemkot Tangerang"
        (site / path.lstrip("/")).write_text(seed.replace(SEED, path).replace(
            "HUT Ke-54 KORPRI, Wali Kota Tangerang Tekankan Pelayanan Nyata dan Kolaborasi untuk "
            "Warga", title), encoding="utf-8")
        routes["routes"].append({"host": "site", "path": path, "file": "site" + path})
        entries += (f"  <url>\n    <loc>https://www.prakata.com{path}</loc>\n"
                    f"    <lastmod>{now}</lastmod>\n  </url>\n")
    (fixtures / "routes.json").write_text(json.dumps(routes))
    edit(site / "sitemap-posts-2025-12.xml", "  <url>\n", entries + "  <url>\n")
    index = site / "sitemap.xml"  # the sitemap index says both children changed
    index.write_text(re.sub(r"(sitemap-posts-2025-1[12]\.xml</loc>\s*<lastmod>)[^<]*",
                            rf"\g<1>{now}", index.read_text(encoding="utf-8")),
                     encoding="utf-8")


def test_a_correction_to_an_old_article_is_caught_and_every_request_explained(tmp_path):
    """Articles from 2025, the default 3-day window: only the site's own change signals
    (sitemap lastmod, Atom updated) bring the corrected old articles back."""
    from datetime import datetime, timedelta, timezone

    fixtures = tmp_path / "fixtures"
    shutil.copytree(DEFAULT_FIXTURES_DIR, fixtures)
    ports = free_ports(3)
    out, runs = tmp_path / "archive", []
    for step in range(2):
        if step:  # after the first crawl: the newsroom corrects two old stories
            now = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat(
                timespec="seconds")
            correct_old_articles(fixtures, now)
        log = tmp_path / f"access-{step}.log"
        with open(log, "w") as access, start_mirror_process(
                fixtures, site_port=ports[0], channel_port=ports[1], channel_asset_port=ports[2],
                verbose=True, stderr=access) as mirror:
            origins = MirrorOrigins(mirror.site, mirror.channel, mirror.channel_assets)
            runs.append(run_crawl(origins, out))
    first, second = runs
    assert second.proc.returncode == 0, second.proc.stderr[-2000:]
    emitted = [json.loads(line) for line in
               sorted((out / "items").glob("*.jsonl"))[1].read_text().splitlines()]
    by_path = {i["url"].removeprefix(origins.site_origin): i for i in emitted}
    assert sorted(by_path) == sorted([EDITED, FEED_EDITED, *NEW_ONES])
    for path, note in ((EDITED, "Koreksi"), (FEED_EDITED, "Ralat")):
        old = next(i for i in first.items if i["url"].endswith(path))
        assert by_path[path]["version"] == 2 and note in by_path[path]["body"]
        assert by_path[path]["previous_sha256"] == fingerprint(old)
    assert all(by_path[p]["version"] == 1 for p in NEW_ONES)
    # every request the site saw has a reason in the report, and they add up
    report = second.report
    seen_by_site = [line for line in (tmp_path / "access-1.log").read_text().splitlines()
                    if '"GET ' in line]
    assert report["requests"] == sum(report["requests_by_reason"].values()) == len(seen_by_site)
    reasons = report["requests_by_reason"]
    assert reasons["lastmod newer than last fetch"] == 1
    assert reasons["feed entry updated since last fetch"] == 1
    assert reasons["new URL"] >= len(NEW_ONES)
    assert "within re-check window" not in reasons  # nothing old re-validated without cause
    beyond = sum(n for reason, n in reasons.items()
                 if reason not in {"robots/sitemap/feed", "listing page", "requisite"})
    assert beyond <= len(NEW_ONES) + 2 + 10, reasons
