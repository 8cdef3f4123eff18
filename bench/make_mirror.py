"""Generate a mirror of N articles for benchmarks (robots.txt, sitemap index with lastmod,
home page, a paginated section, article pages with JSON-LD), in the fixture mirror's
routes.json format; ``--new K`` adds K newer articles, as a site does between two runs.

    .venv/bin/python bench/make_mirror.py /tmp/mirror10k --articles 10000
    .venv/bin/python bench/make_mirror.py /tmp/mirror10k --articles 10000 --new 20
    .venv/bin/python -m prakata_crawler.mirror --fixtures /tmp/mirror10k
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

SITE = "https://www.prakata.com"
WIB = timezone(timedelta(hours=7))
PER_PAGE, PER_SITEMAP = 20, 1000
WORDS = ("warga kota tangerang pemerintah pelayanan program pembangunan jalan sekolah "
         "kesehatan pasar banjir wali kecamatan kelurahan anggaran dinas").split()


def article_html(n: int, when: datetime) -> tuple[str, str]:
    slug = f"berita-nomor-{n}-{WORDS[n % len(WORDS)]}-{WORDS[(n * 7) % len(WORDS)]}"
    path = f"/{when:%Y}/{when:%m}/{slug}.html"
    headline = f"Berita Nomor {n}: {WORDS[n % len(WORDS)].title()} dan " \
               f"{WORDS[(n * 7) % len(WORDS)].title()}"
    paragraphs = "".join(
        f"<p>{'Prakata.com – ' if i == 0 else ''}"
        + " ".join(WORDS[(n + i * 3 + j) % len(WORDS)] for j in range(40)).capitalize()
        + ".</p>" for i in range(8))
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": headline, "datePublished": when.isoformat(),
                     "author": {"@type": "Person", "name": "Redaksi"}})
    page = (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{headline} - '
            f'Prakata.com | Kata-kata Dalam Berita</title><link rel="canonical" '
            f'href="{SITE}{path}"><meta property="og:type" content="article">'
            f'<meta name="csrf-token" content="tRbFFwIJXCPvDkjdZ6hw7BrVzKSmv3z6tIDMFXHn">'
            f'<script type="application/ld+json">{ld}</script></head><body>'
            f'<nav><a href="{SITE}/">Beranda</a> <a href="{SITE}/kategori/berita">Berita</a>'
            f'</nav><main><article><h1>{headline}</h1><div class="meta">{when:%d/%m/%Y %H:%M}'
            f' WIB</div><div class="isi">{paragraphs}<p>"Demikian," pungkasnya. (Rtm)</p>'
            f'</div></article></main><footer>Prakata.com</footer></body></html>')
    return path, page


def listing(title: str, links: list[tuple[str, str]], next_url: str | None) -> str:
    items = "".join(f'<li><a href="{SITE}{p}">{h}</a></li>' for p, h in links)
    more = f'<a rel="next" href="{SITE}{next_url}">Selanjutnya</a>' if next_url else ""
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}'
            f'</title><meta property="og:type" content="website"></head><body><h1>{title}</h1>'
            f'<ul>{items}</ul>{more}</body></html>')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--new", type=int, default=0)
    args = parser.parse_args()
    site = args.dir / "site"
    site.mkdir(parents=True, exist_ok=True)
    newest = datetime(2025, 12, 1, 12, 0, tzinfo=WIB)
    total = args.articles + args.new
    routes, articles = [], []  # newest first
    for n in range(total, 0, -1):
        when = newest - timedelta(hours=(args.articles - n))  # the --new ones are newest
        path, page = article_html(n, when)
        target = site / path.lstrip("/")
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page, encoding="utf-8")
        routes.append({"host": "site", "path": path, "file": f"site{path}",
                       "last_modified": when.astimezone(timezone.utc)
                       .strftime("%a, %d %b %Y %H:%M:%S GMT")})
        articles.append((path, f"Berita Nomor {n}", when))

    def write(name: str, text: str, path: str, kind: str = "text/html; charset=utf-8"):
        (site / name).write_text(text, encoding="utf-8")
        routes.append({"host": "site", "path": path, "file": f"site/{name}",
                       "content_type": kind})

    pages = (len(articles) + PER_PAGE - 1) // PER_PAGE
    for p in range(1, pages + 1):
        chunk = [(a, h) for a, h, _ in articles[(p - 1) * PER_PAGE: p * PER_PAGE]]
        nxt = f"/kategori/berita?page={p + 1}" if p < pages else None
        write(f"kategori-{p}.html", listing(f"Berita halaman {p}", chunk, nxt),
              "/kategori/berita" + (f"?page={p}" if p > 1 else ""))
    write("index.html", listing("Prakata.com", [(a, h) for a, h, _ in articles[:PER_PAGE]],
                                "/kategori/berita"), "/")
    maps = []
    oldest_first = articles[::-1]
    for k in range(0, len(oldest_first), PER_SITEMAP):
        chunk = oldest_first[k: k + PER_SITEMAP]
        urls = "".join(f"<url><loc>{SITE}{a}</loc><lastmod>{w.isoformat()}</lastmod></url>"
                       for a, _, w in chunk)
        name = f"sitemap-{k // PER_SITEMAP + 1}.xml"
        write(name, f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.'
                    f'sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', f"/{name}",
              "application/xml")
        maps.append((name, chunk[-1][2]))
    index = "".join(f"<sitemap><loc>{SITE}/{n}</loc><lastmod>{w.isoformat()}</lastmod>"
                    f"</sitemap>" for n, w in maps)
    write("sitemap.xml", f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://'
                         f'www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>',
          "/sitemap.xml", "application/xml")
    write("robots.txt", f"User-agent: *\nDisallow: /login\nSitemap: {SITE}/sitemap.xml\n",
          "/robots.txt", "text/plain; charset=utf-8")
    (args.dir / "routes.json").write_text(json.dumps(
        {"site_origin": SITE, "channel_origin": "https://www.whatsapp.com", "routes": routes}))
    print(f"{len(articles)} articles, {pages} section pages, {len(maps)} sitemaps in {args.dir}")


if __name__ == "__main__":
    main()
