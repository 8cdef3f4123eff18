"""Soak: a generated site of 3,000 articles with seeded random faults on 10% of them, some
transient (5xx/429 bursts, resets, cut gzip, lying lengths, stalls: the page answers after
retries) and some permanent (it never does). Every reachable article must be emitted exactly
once, every unreachable one must be a failure in the run report, and the archive must
verify."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from conftest import FAST, prakata

from prakata_crawler.mirror import start_mirror_process
from prakata_crawler.mirror.faults import FaultPlan

ARTICLES = 3000
PER_PAGE, PER_SITEMAP = 25, 1000
SITE = "https://www.prakata.com"
WIB = timezone(timedelta(hours=7))
WORDS = ("warga kota tangerang pemerintah pelayanan program pembangunan jalan sekolah "
         "kesehatan pasar banjir wali kecamatan kelurahan anggaran dinas").split()
FAULTS = {"random": {"rate": 0.1, "seed": 2026, "match": r"^/\d{4}/\d{2}/",
                     "kinds": ["status", "reset", "truncated_gzip", "length_lie", "stall"],
                     "permanent": 0.2, "max_times": 3}}
SETTINGS = ["-s", "DOWNLOAD_TIMEOUT=2", "-s", "RETRY_TIMES=3", "-s", "RETRY_BACKOFF_BASE=0",
            "-s", "RETRY_BACKOFF_MAX=0", "-s", "PRAKATA_MAX_ERROR_RATE=1",
            "-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS=32",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32"]


def make_site(root: Path, count: int) -> list[str]:
    """A site in routes.json form: robots.txt, a sitemap index, a home page and a paginated
    section listing every article, and ``count`` small articles; returns their paths."""
    site = root / "site"
    site.mkdir(parents=True)
    routes, paths = [], []

    def add(name: str, path: str, text: str, kind: str = "text/html; charset=utf-8") -> None:
        (site / name).write_text(text, encoding="utf-8")
        routes.append({"host": "site", "path": path, "file": f"site/{name}",
                       "content_type": kind})

    newest = datetime(2025, 12, 1, 12, 0, tzinfo=WIB)
    for n in range(count):
        when = newest - timedelta(hours=n)
        path = f"/{when:%Y/%m}/berita-{n}-{WORDS[n % 16]}-{WORDS[n * 7 % 16]}.html"
        headline = f"Berita {n}: {WORDS[n % 16].title()} dan {WORDS[n * 7 % 16].title()}"
        body = "".join(f"<p>{'Prakata.com – ' if i == 0 else ''}Kabar nomor {n} alinea {i}: "
                       + " ".join(WORDS[(n + i + j) % 16] for j in range(30)) + ".</p>"
                       for i in range(5))
        ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": headline, "datePublished": when.isoformat()})
        add(f"a{n}.html", path, f'<!doctype html><html lang="id"><head><meta charset="utf-8">'
            f'<title>{headline}</title><link rel="canonical" href="{SITE}{path}">'
            f'<meta property="og:type" content="article"><script type="application/ld+json">'
            f'{ld}</script></head><body><a href="{SITE}/">Beranda</a><article><h1>{headline}'
            f'</h1>{body}<p>"Demikian," pungkasnya. (Rtm)</p></article></body></html>')
        paths.append(path)
    pages = (count + PER_PAGE - 1) // PER_PAGE
    for p in range(1, pages + 1):
        links = "".join(f'<li><a href="{SITE}{a}">{a}</a></li>'
                        for a in paths[(p - 1) * PER_PAGE: p * PER_PAGE])
        more = f'<a rel="next" href="{SITE}/kategori/berita?page={p + 1}">Lanjut</a>' \
            if p < pages else ""
        add(f"k{p}.html", "/kategori/berita" + (f"?page={p}" if p > 1 else ""),
            f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Berita {p}'
            f'</title><meta property="og:type" content="website"></head><body><ul>{links}</ul>'
            f"{more}</body></html>")
    add("index.html", "/", f'<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f'<title>Prakata</title></head><body><a href="{SITE}/kategori/berita">Berita</a>'
        f"</body></html>")
    maps = []
    for k in range(0, count, PER_SITEMAP):
        urls = "".join(f"<url><loc>{SITE}{a}</loc></url>" for a in paths[k:k + PER_SITEMAP])
        name = f"sitemap-{k // PER_SITEMAP}.xml"
        add(name, f"/{name}", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://'
            f'www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', "application/xml")
        maps.append(name)
    index = "".join(f"<sitemap><loc>{SITE}/{name}</loc></sitemap>" for name in maps)
    add("sitemap.xml", "/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>',
        "application/xml")
    add("robots.txt", "/robots.txt", f"User-agent: *\nSitemap: {SITE}/sitemap.xml\n",
        "text/plain; charset=utf-8")
    (root / "routes.json").write_text(json.dumps(
        {"site_origin": SITE, "channel_origin": "https://www.whatsapp.com", "routes": routes}))
    return paths


def test_soak_every_reachable_article_once_every_unreachable_one_reported(tmp_path):
    paths = make_site(tmp_path / "mirror", ARTICLES)
    plan = FaultPlan.from_spec(FAULTS)
    faults = {p: plan.fault_for("site", p) for p in paths}
    unreachable = {p for p, f in faults.items() if f is not None and f.times is None}
    log = tmp_path / "faults.jsonl"
    out = tmp_path / "out"
    with start_mirror_process(tmp_path / "mirror", faults={**FAULTS, "log": str(log)}) as m:
        started = time.monotonic()
        proc = prakata("crawl", "--site", m.site, "--out", str(out), *FAST, *SETTINGS,
                       timeout=600)
        seconds = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    [report] = [json.loads(p.read_text()) for p in (out / "runs").glob("*.json")]
    items = [json.loads(line) for f in (out / "items").glob("*.jsonl")
             for line in f.read_text(encoding="utf-8").splitlines()]
    emitted = [i["url"].removeprefix(m.site) for i in items if i["type"] == "article"]
    injected = [json.loads(line) for line in log.read_text().splitlines()]

    faulted = sum(f is not None for f in faults.values())
    assert ARTICLES * 0.08 <= faulted <= ARTICLES * 0.12 and 0 < len(unreachable) < faulted
    assert len(emitted) == len(set(emitted))  # none twice
    assert set(emitted) == set(paths) - unreachable  # every reachable one
    failed = {u.removeprefix(m.site) for u in report["fetch_failure_urls"]}
    assert failed == unreachable  # every unreachable one, and nothing else
    assert report["recovered"] >= faulted - len(unreachable)
    check = prakata("verify", "--out", str(out))
    assert check.returncode == 0, check.stdout + check.stderr
    print(f"\nsoak: {len(paths)} articles, {report['pages']} responses, {len(injected)} faults "
          f"injected on {faulted} articles ({len(unreachable)} permanent), {len(emitted)} "
          f"emitted, {len(failed)} failures, {report['retries']} retries, {seconds:.0f} s, "
          f"verify: {(check.stdout + check.stderr).strip()}")
