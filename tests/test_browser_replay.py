"""The archive as a reader sees it: every archived article and channel page, replayed by
pywb and opened in a real headless Chromium (the distribution's ``chromium``, driven by
playwright), shows its headline, its photo and its styles, and asks for nothing the
archive lacks. Nothing leaves 127.0.0.1: every other host fails to resolve and is
aborted besides.

``PRAKATA_SCREENSHOT=path.png`` saves the replayed rsud article (the README's picture).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from prakata_crawler.warc import replay
from prakata_crawler.warc.index import entries

CHROMIUM = os.environ.get("PRAKATA_CHROMIUM") or shutil.which("chromium") or \
    shutil.which("chromium-browser")
# Chromium asks Google for updates, safe-browsing lists and more unless told not to;
# the resolver rule makes every host but 127.0.0.1 unresolvable.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
REPLAYED = re.compile(rf"^/{replay.COLLECTION}/\d+[a-z]{{0,2}}_?/(.+)$")
SITE_RED = "rgb(200, 16, 46)"  # .site-header's border in the site's app.css
WHATSAPP_GREEN = "rgb(0, 128, 105)"  # ._9vck's background in WhatsApp's stylesheet
SHOT_OF = "/2025/11/rsud-kota-tangerang-tambah-10-mesin-cuci-darah-untuk-pasien-bpjs.html"

PAGE_STATE = """(stem) => {
  const shown = [...document.images].filter(i => i.complete && i.naturalWidth > 0)
    .map(i => i.currentSrc || i.src);
  const probe = document.querySelector('.site-header') || document.querySelector('._9vck');
  const style = probe ? getComputedStyle(probe) : null;
  return {
    photo: shown.some(src => src.includes(stem)),
    shown: shown.length,
    broken: [...document.images].filter(i => i.complete && i.naturalWidth === 0
      && (i.currentSrc || i.src) && !(i.currentSrc || i.src).startsWith('data:'))
      .map(i => i.currentSrc || i.src),
    sheets: [...document.styleSheets].filter(s => s.href)
      .map(s => { try { return [s.href, s.cssRules.length]; } catch (e) { return [s.href, -1]; } }),
    probe: style ? [probe.className, style.borderTopColor, style.backgroundColor] : null,
    scripts: document.documentElement.getAttribute('data-prakata-js'),
  };
}"""


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, ("no Chromium found: `./run test` installs the distribution's chromium "
                      "package (or set PRAKATA_CHROMIUM to its binary)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def capture_times(out: Path) -> dict[str, str]:
    """URL -> timestamp of its newest archived 200 response."""
    times = {}
    for timestamp, fields in sorted(entries(out / "indexes"), key=lambda e: e[0]):
        if fields.get("status") == "200" and fields.get("mime") != "warc/revisit":
            times[fields["url"]] = timestamp
    return times


def in_scope(url: str, netlocs: set[str]) -> bool:
    """A URL the archive should answer: the site's, the channels' or their assets'."""
    match = REPLAYED.match(urlsplit(url).path)
    original = match.group(1) if match else url
    return urlsplit(original).netloc in netlocs


def open_replayed(browser, port: int, url: str, timestamp: str, netlocs: set[str]):
    """Open ``url`` as archived at ``timestamp`` in pywb's framed replay; return the page,
    the replay frame, what went wrong on the way (in-scope only) and the requests aborted
    for leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems, offsite = [], []

    def guard(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("requestfailed", lambda r: problems.append(f"failed {r.url}: {r.failure}")
            if in_scope(r.url, netlocs) else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and in_scope(r.url, netlocs) else None)
    page.goto(f"http://127.0.0.1:{port}/{replay.COLLECTION}/{timestamp}/{url}",
              wait_until="networkidle", timeout=60_000)
    frames = [f for f in page.frames if f"/{timestamp}mp_/" in f.url]
    assert frames, f"{url}: pywb showed no replay frame ({[f.url for f in page.frames]})"
    return context, page, frames[0], problems, offsite


def test_every_article_and_channel_page_replays_complete(browser, pywb, mirror_crawl,
                                                          mirror, tmp_path):
    times = capture_times(mirror_crawl.out)
    netlocs = {urlsplit(o).netloc for o in (mirror.site_origin, mirror.channel_origin,
                                            mirror.channel_asset_origin)}
    pages = [i for i in mirror_crawl.items if i["type"] in {"article", "whatsapp_channel"}]
    assert len(pages) >= 20
    wrong: dict[str, list[str]] = {}
    for item in pages:
        url = item["url"]
        context, page, frame, problems, offsite = open_replayed(
            browser, pywb, url, times[url], netlocs)
        try:
            article = item["type"] == "article"
            title = item["headline"] if article else item["name"]
            photo = (item["images"][0]["url"] if article and item["images"]
                     else item["image_url"])
            stem = urlsplit(photo).path.rsplit(".", 1)[0]
            state = frame.evaluate(PAGE_STATE, stem)
            if not frame.get_by_text(title, exact=True).first.is_visible():
                problems.append(f"headline not visible: {title!r}")
            if not state["photo"]:
                problems.append(f"lead photo not shown: {photo}")
            problems += [f"image not decoded: {src}" for src in state["broken"]
                         if in_scope(src, netlocs)]
            own_sheets = [(href, rules) for href, rules in state["sheets"]
                          if in_scope(href, netlocs)]
            if not own_sheets or any(rules <= 0 for _, rules in own_sheets):
                problems.append(f"stylesheets not applied: {state['sheets']}")
            colour = state["probe"] and (state["probe"][1] if article else state["probe"][2])
            if colour != (SITE_RED if article else WHATSAPP_GREEN):
                problems.append(f"site styles missing: {state['probe']}")
            if article and state["scripts"] != "ready":
                problems.append("the site's scripts did not run")
            if url.endswith(SHOT_OF):
                shot = Path(os.environ.get("PRAKATA_SCREENSHOT") or tmp_path / "article.png")
                page.screenshot(path=str(shot))
                assert shot.stat().st_size > 10_000
        finally:
            context.close()
        if problems:
            wrong[url] = problems
    assert not wrong, "\n".join(f"{url}:\n  " + "\n  ".join(p) for url, p in wrong.items())

