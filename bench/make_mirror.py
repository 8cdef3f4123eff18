"""Generate a mirror of N realistic articles for the benchmarks, in the fixture mirror's
routes.json format: robots.txt, a sitemap index with lastmod, a feed, a home page, a
paginated section, category pages and article pages; ``--new K`` adds K newer articles, as
a site does between two runs.

Article pages are the fixture pages (prakata.com's own template and other portals'), with
their chrome kept byte for byte and only headline, body text, date, their own URL, their
lead photo and links to other articles replaced, so a crawl pays for real page weight and
real markup. Page requisites are real too: the fixture site's stylesheet, scripts, font and
images, and one photo of its own per article (the same JPEG bytes under each URL).

    .venv/bin/python -m bench.make_mirror /tmp/mirror10k --articles 10000
    .venv/bin/python -m bench.make_mirror /tmp/mirror10k --articles 10000 --new 20
    .venv/bin/python -m prakata_crawler.mirror --fixtures /tmp/mirror10k
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SITE = "https://www.prakata.com"
WIB = timezone(timedelta(hours=7))
FIRST = datetime(2019, 1, 1, 8, 0, tzinfo=WIB)  # article n appears n hours later
PER_PAGE, PER_SITEMAP = 20, 1000
TARGET_SIZE = 55_000  # bytes: the body text of a thin template is stretched towards this
MAX_STRETCH = 8.0
CATEGORIES = ("pemerintahan", "pendidikan", "ekonomi", "kesehatan", "hukum", "olahraga")
# Other portals' pages link their own WhatsApp channels; on this site they link prakata's.
CHANNEL = "whatsapp.com/channel/0029VaPrakataTgr7Xk2mQ9L"
# prakata.com's own template carries half of the pages; each other portal's an equal share.
SITE_TEMPLATES = ("bkpsdm-terapkan-presensi-digital-berbasis-lokasi-bagi-asn-kota-tangerang",
                  "dinkes-kota-tangerang-gelar-imunisasi-campak-rubela-serentak-di-39-puskesmas",
                  "harga-cabai-rawit-di-pasar-anyar-tembus-rp80-ribu-per-kilogram")
PAGE_TEMPLATES = ("tangerangnews-wp-yoast", "wp-newspaper-penulis-editor",
                  "kabar6-glued-credit-wa-channel", "cnn-detail-text-adv-lihat-juga",
                  "antara-short-article-heavy-sidebar-copyright", "kompas-read-lihat-foto",
                  "detik-linksisip-scroll", "inews-interleaved-ads-cards-table",
                  "nextjs-css-modules-card-insert", "wp-elementor-regional-foto-prefix-"
                  "trailing-credit")
_SLOT = re.compile("\ue000([A-Z])(\\d*)\ue001")
_ARTICLE_PATH = re.compile(r"/\d{4}/\d{2}/|\.html?$|/read/|/berita/\d|/news/|/\d{6,}")
_REQUISITE_FILE = re.compile(r"\.(css|js|png|jpe?g|gif|svg|ico|webp|woff2?)$")
_ASSET = re.compile(r"\.(css|js|png|jpe?g|gif|svg|ico|webp|xml|json|webmanifest)(\?|$)", re.I)
VERSION = "6"  # bump when generated pages change, so cached mirrors are rebuilt
PHOTO = FIXTURES / "site/storage/posts/2025/11/hemodialisis-rsud-kota-tangerang.jpg"


def _mark(kind: str, value: int | str = "") -> str:
    return f"\ue000{kind}{value}\ue001"


@dataclass
class Template:
    """A fixture page cut into literal chrome and slots: H headline, B<len> body text,
    U own URL, D ISO date, R another article, S a section, P the lead photo's URL."""

    name: str
    pieces: list[str]  # literal, slot, literal, slot, ... literal
    stretch: float

    @classmethod
    def from_golden(cls, golden: Path) -> Template:
        case = json.loads(golden.read_text(encoding="utf-8"))
        want = case["expected"]
        raw = (FIXTURES / case["file"]).read_bytes()
        root = lxml.html.document_fromstring(raw.decode("utf-8"))
        body_text = " ".join(want["body"].split())
        own = {want["url"], want.get("canonical_url") or want["url"], case["url"]}
        origin_host = urlsplit(case["url"]).hostname.removeprefix("www.")
        body_len = 0
        for el in root.iter():
            if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "title"):
                continue
            for attr in ("text", "tail"):
                text = getattr(el, attr)
                norm = " ".join((text or "").split())
                if len(norm) >= 12 and norm in body_text and norm != want["headline"]:
                    setattr(el, attr, _mark("B", len(norm)))
                    body_len += len(norm)
            href = el.get("href")
            if href is None or el.tag not in ("a", "link"):
                continue
            url = urljoin(case["url"], href)
            split = urlsplit(url)
            if (split.hostname or "").removeprefix("www.") != origin_host or split.scheme \
                    not in ("http", "https") or _ASSET.search(split.path):
                continue
            if url.split("#")[0] in own:
                el.set("href", _mark("U"))
            elif el.tag == "link":
                if el.get("rel") != "alternate":  # amphtml, shortlink: twins not generated
                    el.getparent().remove(el)
            elif _ARTICLE_PATH.search(split.path):
                el.set("href", _mark("R"))
            elif split.path.rstrip("/") not in ("", "/feed"):
                el.set("href", _mark("S"))
        text = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
        # lxml percent-encodes non-ASCII in href: the slot marks come back encoded
        text = text.replace("%EE%80%80", "\ue000").replace("%EE%80%81", "\ue001")
        for url in sorted(own, key=len, reverse=True):
            text = text.replace(url, _mark("U"))
        for headline in (want["headline"], html.escape(want["headline"])):
            text = text.replace(headline, _mark("H"))
        if want.get("date_published"):
            text = text.replace(want["date_published"], _mark("D"))
        text = re.sub(rf"(https?:)?//(www\.)?{re.escape(origin_host)}(?![\w.-])", SITE, text)
        text = re.sub(r"whatsapp\.com/channel/\w+", CHANNEL, text)
        lead = (want.get("images") or [{}])[0].get("url")
        if lead:  # as the site rewrote it: on prakata.com if it was on the portal's host
            lead = re.sub(rf"^(https?:)?//(www\.)?{re.escape(origin_host)}(?![\w.-])", SITE,
                          lead)
            for form in sorted({lead, html.escape(lead)}, key=len, reverse=True):
                text = text.replace(form, _mark("P"))
            if lead.startswith(SITE):  # written as a path
                text = text.replace(f'"{lead.removeprefix(SITE)}"', f'"{_mark("P")}"')
        chrome = len(_SLOT.sub("", text).encode("utf-8"))
        stretch = min(max((TARGET_SIZE - chrome) / max(body_len, 1), 1.0), MAX_STRETCH)
        return cls(golden.stem.removeprefix("site-").removeprefix("page-"),
                   _SLOT.split(text), stretch)

    def render(self, article: Article, words: WordPool) -> str:
        rng = random.Random(article.n)
        out = []
        # a correction goes into the longest paragraph: body text, not a caption or a teaser
        longest = max((i for i in range(1, len(self.pieces), 3) if self.pieces[i] == "B"),
                      key=lambda i: int(self.pieces[i + 1]), default=None)
        for index, piece in enumerate(self.pieces):
            kind = index % 3
            if kind == 0:
                out.append(piece)
            elif kind == 1:
                arg = self.pieces[index + 1]
                if piece == "H":
                    out.append(html.escape(article.headline))
                elif piece == "B":
                    out.append(words.text(rng, int(int(arg) * self.stretch)) + (
                        " (Koreksi: angka dalam berita ini diperbarui.)"
                        if article.edited and index == longest else ""))
                elif piece == "U":
                    out.append(SITE + article.path)
                elif piece == "D":
                    out.append(article.when.isoformat())
                elif piece == "R":
                    out.append(SITE + article_path(rng.randint(1, max(article.n - 1, 1))))
                elif piece == "S":
                    out.append(f"{SITE}/kategori/{rng.choice(CATEGORIES)}")
                elif piece == "P":
                    out.append(SITE + photo_path(article.n))
        return "".join(out)


class WordPool:
    """Indonesian words from the goldens' bodies, drawn at random for headlines and body."""

    def __init__(self) -> None:
        words = set()
        for golden in (FIXTURES / "goldens").glob("*.json"):
            body = json.loads(golden.read_text(encoding="utf-8"))["expected"].get("body") or ""
            words.update(w for w in re.findall(r"[A-Za-z]{3,}", body))
        self.words = sorted(words)
        rng = random.Random(0)
        self.pool = " ".join(rng.choice(self.words) for _ in range(200_000))

    def text(self, rng: random.Random, length: int) -> str:
        start = self.pool.index(" ", rng.randrange(len(self.pool) - length - 100)) + 1
        end = self.pool.index(" ", start + max(length, 20))
        return self.pool[start:end].capitalize() + "."

    def headline(self, n: int) -> str:
        rng = random.Random(-n)
        return " ".join(rng.choice(self.words).title() for _ in range(rng.randint(6, 10))) \
            + f" {n}"


@dataclass
class Article:
    n: int
    when: datetime
    headline: str
    edited: datetime | None = None  # when a correction was published

    @property
    def path(self) -> str:
        return article_path(self.n)

    @property
    def changed(self) -> datetime:
        return self.edited or self.when


def article_path(n: int) -> str:
    """The URL path of article n: a function of n only, so links never need a lookup."""
    when = published(n)
    return f"/{when:%Y}/{when:%m}/berita-{n}.html"


def photo_path(n: int) -> str:
    return f"/storage/posts/berita-{n}.jpg"


def published(n: int) -> datetime:
    """Article n's date: fixed, so a mirror grown by --new keeps its older pages."""
    return FIRST + timedelta(hours=n)


def load_templates() -> list[Template]:
    """The templates, prakata.com's own weighted to carry half of the pages."""
    site = [Template.from_golden(FIXTURES / "goldens" / f"site-{n}.json") for n in SITE_TEMPLATES]
    pages = [Template.from_golden(FIXTURES / "goldens" / f"page-{n}.json")
             for n in PAGE_TEMPLATES]
    return site * (len(pages) // len(site)) + pages


def listing(title: str, links: list[Article], next_url: str | None) -> str:
    items = "".join(f'<li><a href="{SITE}{a.path}">{html.escape(a.headline)}</a> '
                    f'<time>{a.when:%d/%m/%Y %H:%M}</time></li>' for a in links)
    nav = "".join(f'<a href="{SITE}/kategori/{c}">{c.title()}</a> ' for c in CATEGORIES)
    more = f'<a rel="next" href="{SITE}{next_url}">Selanjutnya</a>' if next_url else ""
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}'
            f'</title><meta property="og:type" content="website"></head><body><nav>{nav}</nav>'
            f'<h1>{title}</h1><ul>{items}</ul>{more}</body></html>')


def edited_articles(articles: int, edited: int) -> list[int]:
    """Which old articles a newsroom corrected: spread over the archive, never the newest."""
    return [articles * k // (edited + 1) for k in range(1, edited + 1)]


def build(root: Path, articles: int, new: int = 0, edited: int = 0,
          edited_at: datetime | None = None) -> dict:
    """Write (or complete) the mirror under `root`; return what it holds. ``edited`` old
    articles get a correction at ``edited_at``: a sentence more, and that time as their
    sitemap lastmod (and their sitemap's, in the index)."""
    stamp = root / "generated.json"
    total = articles + new
    corrected = dict.fromkeys(edited_articles(articles, edited), edited_at)
    stale = set()  # corrected by an earlier build: written again as they were first
    if stamp.is_file():
        previous = json.loads(stamp.read_text())
        if previous["version"] == VERSION and previous["articles"] == total and \
                previous.get("edited", 0) == edited == 0:
            return previous
        if previous["version"] != VERSION:  # pages of an older generator: start afresh
            shutil.rmtree(root / "site")
        else:
            stale = set(previous.get("edited_articles", ())) - set(corrected)
    site = root / "site"
    site.mkdir(parents=True, exist_ok=True)
    templates, words = load_templates(), WordPool()
    routes, listed, sizes = [], [], []
    for n in range(total, 0, -1):  # newest first; the --new ones are the newest
        article = Article(n, published(n), words.headline(n), corrected.get(n))
        target = site / article.path.lstrip("/")
        if not target.exists() or n in corrected or n in stale:
            page = templates[n % len(templates)].render(article, words).encode("utf-8")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page)
        sizes.append(target.stat().st_size)
        modified = article.changed.astimezone(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
        routes.append({"host": "site", "path": article.path, "file": f"site{article.path}",
                       "last_modified": modified})
        routes.append({"host": "site", "path": photo_path(n), "file": "site/photo.jpg",
                       "last_modified": modified})
        listed.append(article)

    def write(name: str, text: str, path: str, kind: str = "text/html; charset=utf-8"):
        (site / name).write_text(text, encoding="utf-8")
        routes.append({"host": "site", "path": path, "file": f"site/{name}",
                       "content_type": kind})

    pages = (len(listed) + PER_PAGE - 1) // PER_PAGE
    for p in range(1, pages + 1):
        nxt = f"/kategori/berita?page={p + 1}" if p < pages else None
        write(f"kategori-{p}.html", listing(f"Berita halaman {p}",
                                            listed[(p - 1) * PER_PAGE: p * PER_PAGE], nxt),
              "/kategori/berita" + (f"?page={p}" if p > 1 else ""))
    for c, name in enumerate(CATEGORIES):
        write(f"kategori-{name}.html", listing(name.title(), listed[c::len(CATEGORIES)][:PER_PAGE],
                                               "/kategori/berita"), f"/kategori/{name}")
    write("index.html", listing("Prakata.com", listed[:PER_PAGE], "/kategori/berita"), "/")
    entries = "".join(f"<item><title>{html.escape(a.headline)}</title><link>{SITE}{a.path}"
                      f"</link></item>" for a in listed[:PER_PAGE])
    write("feed.xml", f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                      f"<title>Prakata.com</title>{entries}</channel></rss>", "/feed",
          "application/rss+xml")
    maps = []
    oldest_first = listed[::-1]
    for k in range(0, len(oldest_first), PER_SITEMAP):
        chunk = oldest_first[k: k + PER_SITEMAP]
        urls = "".join(f"<url><loc>{SITE}{a.path}</loc><lastmod>{a.changed.isoformat()}"
                       f"</lastmod></url>" for a in chunk)
        name = f"sitemap-{k // PER_SITEMAP + 1}.xml"
        write(name, f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.'
                    f'sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', f"/{name}",
              "application/xml")
        maps.append((name, max(a.changed for a in chunk)))
    index = "".join(f"<sitemap><loc>{SITE}/{n}</loc><lastmod>{w.isoformat()}</lastmod>"
                    f"</sitemap>" for n, w in maps)
    write("sitemap.xml", f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://'
                         f'www.sitemaps.org/schemas/sitemap/0.9">{index}</sitemapindex>',
          "/sitemap.xml", "application/xml")
    write("robots.txt", f"User-agent: *\nDisallow: /login\nSitemap: {SITE}/sitemap.xml\n",
          "/robots.txt", "text/plain; charset=utf-8")
    shutil.copyfile(PHOTO, site / "photo.jpg")
    fixture_routes = json.loads((FIXTURES / "routes.json").read_text(encoding="utf-8"))
    for route in fixture_routes["routes"]:
        # the WhatsApp channels the templates link (and their assets), the site's requisites
        if route["host"] in {"channel", "channel_assets"} or (
                route["host"] == "site" and _REQUISITE_FILE.search(route.get("file", ""))):
            (root / route["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURES / route["file"], root / route["file"])
            routes.append(route)
    routes += chrome_routes(root, templates, words, {(r["host"], r["path"]) for r in routes})
    (root / "routes.json").write_text(json.dumps(
        {"site_origin": SITE, "channel_origin": fixture_routes["channel_origin"],
         "channel_asset_origins": fixture_routes["channel_asset_origins"], "routes": routes}))
    info = {"version": VERSION, "articles": total, "edited": edited,
            "edited_articles": sorted(corrected), "section_pages": pages,
            "sitemaps": len(maps), "templates": len({t.name for t in templates}),
            "mean_article_bytes": round(sum(sizes) / len(sizes))}
    stamp.write_text(json.dumps(info))
    return info


CHILD_SITEMAP = re.compile(r"/sitemap-\d+\.xml")
URLSET_BODY = re.compile(r"<urlset[^>]*>(.*)</urlset>", re.S)


def flat_sitemap(root: Path) -> Path:
    """The mirror at ``root`` as a site whose one sitemap lists every article, as many
    WordPress plugins and small CMSes publish it: the same files (hard links, no copy) at
    ``<root>-flat``, with ``/sitemap.xml`` one ``urlset`` of the child sitemaps' entries."""
    flat = root.with_name(root.name + "-flat")
    info = {**json.loads((root / "generated.json").read_text()), "sitemaps": 1,
            "sitemap_shape": "flat"}
    stamp = flat / "generated.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == info:
        return flat
    shutil.rmtree(flat, ignore_errors=True)
    shutil.copytree(root, flat, copy_function=os.link)
    table = json.loads((root / "routes.json").read_text())
    children = [r for r in table["routes"] if CHILD_SITEMAP.fullmatch(r["path"])]
    urls = "".join(URLSET_BODY.search((root / r["file"]).read_text(encoding="utf-8")).group(1)
                   for r in children)
    table["routes"] = [r for r in table["routes"] if r not in children]
    for path, text in ((flat / "site" / "sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>'
                        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        f"{urls}</urlset>"),
                       (flat / "routes.json", json.dumps(table)), (stamp, json.dumps(info))):
        path.unlink(missing_ok=True)  # a hard link: a write would change the original too
        path.write_text(text, encoding="utf-8")
    return flat


def chrome_routes(root: Path, templates: list[Template], words: WordPool,
                  taken: set[tuple[str, str]]) -> list[dict]:
    """Routes for what the other portals' templates load from the site (their stylesheets,
    scripts, icons and sidebar photos, now on prakata.com) and the fixture world lacks: a
    stand-in of the right type each, as the real site would serve something there."""
    from prakata_crawler.requisites import html_requisites

    stubs = {"css": ("chrome.css", b"body{margin:0}\n"), "js": ("chrome.js", b";\n")}
    routes = []
    for template in {t.name: t for t in templates}.values():
        page = template.render(Article(1, published(1), "Contoh"), words)
        for url, _ in html_requisites(lxml.html.document_fromstring(page), SITE + "/"):
            parts = urlsplit(url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not url.startswith(SITE + "/") or ("site", path) in taken:
                continue
            suffix = parts.path.rsplit(".", 1)[-1].lower()
            name, body = stubs.get(suffix, ("photo.jpg", None))
            if body is not None and not (root / "site" / name).exists():
                (root / "site" / name).write_bytes(body)
            taken.add(("site", path))
            routes.append({"host": "site", "path": path, "file": f"site/{name}"})
    return routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--new", type=int, default=0)
    args = parser.parse_args()
    info = build(args.dir, args.articles, args.new)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
