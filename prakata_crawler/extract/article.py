"""Assemble an article item from the layers: structured data, site rules, generic text.

Everything that lives in page chrome (canonical link, channel links, tag and related
blocks) is read before the chrome is stripped; the text fields come from the cleaned tree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from urllib.parse import urlsplit

from ..urls import canonical_channel_url, canonicalize, channel_id, safe_join, site_domain
from .blocks import (
    Block,
    class_words,
    drop_keep_tail,
    identity,
    is_caption_el,
    is_chrome,
    is_meta_el,
    strip_chrome,
    walk_blocks,
)
from .byline import (
    COPYRIGHT,
    abbreviates,
    byline_element_text,
    is_labelled_credit,
    merge_authors,
    parse_credit,
    split_trailing_credit,
)
from .caption import clean_caption, split_credit
from .classify import (
    LOGIN,
    NO_BODY,
    NON_ARTICLE_PATH,
    PageFacts,
    count_words,
    page_verdict,
    url_verdict,
)
from .dates import parse_date, to_iso
from .document import Document, node_types
from .headline import find_headline
from .images import caption_for, image_src, is_content_image
from .maintext import MainText, find_main_text, follows, set_aside
from .structured import (
    article_node,
    breadcrumb_section,
    image_value,
    keywords,
    person_names,
    text_value,
)
from .text import dedupe, norm, short_text, text_of

INSERT_LABEL = re.compile(r"(?:\*{1,3}\s*)?\b(?:baca|lihat|simak|cek)\s+(?:juga|pula)\b\s*:?\s*$",
                          re.I)


def ends_with_label(text: str) -> bool:
    """Text ending in "Baca juga:" (the regex alone scans long paragraphs slowly)."""
    low = text.rstrip()[-200:].lower()
    return ("juga" in low or "pula" in low) and bool(INSERT_LABEL.search(text))


INSERT_PARAGRAPH = re.compile(
    r"^[\W_]*(?:(?:baca|lihat|simak|cek)\s+(?:juga|pula|selengkapnya)\b|baca\s+artikel\s.+"
    r"selengkapnya|artikel\s+ini\s+telah\s+tayang\s+di\b)", re.I)
# Calls to action, share counts, copyright lines and list titles. Split in two because the
# unanchored branches made the regex engine try every branch at every position.
_NOISE_START = re.compile(
    r"\W*(?:ikuti|follow|gabung|bergabung|simak|join|dapatkan|klik|download|unduh|pantau)\b"
    r".{0,200}\b(?:whatsapp|google\s+news|telegram|instagram|tiktok|channel|saluran|aplikasi)\b|"
    r"\W*advertisement\W*$|\W*(?:simak|saksikan|tonton|lihat)\s+(?:juga\s+)?video\b|"
    r"\W*baca\s+berita\s+lainnya|\W*baca\s+selanjutnya|"
    r"\W*dilarang\s+(?:keras\s+)?(?:mengambil|mengutip|menyalin|memperbanyak)|"
    r"\W*(?:copyright|hak\s+cipta)\b|\W*©|[\d.,]+\s*[KkMm]?$|.{1,60}\s[·•|]$|"
    r"halaman\s*\d+\s*(?:/|dari)\s*\d+|selanjutnya$|lihat\s+foto$|"
    r"(?:artikel\s+pilihan|berita\s+terkait|artikel\s+terkait|terkait|terpopuler|terkini|"
    r"rekomendasi|tags?|topik|bagikan|share)\s*:?$|"
    r"\W*(?:follow|ikuti)\s.{0,60}(?:channel|instagram|tiktok|twitter|x)\b", re.I)
_NOISE_ANYWHERE = re.compile(
    r"lanjut(?:kan)?\s+membaca|\bmin(?:ute)?s?\s+read\b|\bmenit\s+baca\b|"
    r"scroll\s+to\s+continue|gabung\s+\S+\+|masukkan\s+script|telusuri\s+berita|"
    r"halaman\s+selanjutnya|dapatkan\s+(?:update|berita)|download\s+aplikasi", re.I)


# One of these words is in every _NOISE_ANYWHERE branch: a case-insensitive regex search
# costs 80 us a paragraph, the substring tests under 1.
_NOISE_WORDS = ("lanjut", "read", "baca", "scroll", "gabung", "script", "telusuri",
                "selanjutnya", "dapatkan", "aplikasi")


def is_noise(text: str) -> bool:
    """A short paragraph that is page furniture, not article text."""
    if len(text) >= 300:
        return False
    if _NOISE_START.match(text):
        return True
    low = text.lower()
    return any(word in low for word in _NOISE_WORDS) and bool(_NOISE_ANYWHERE.search(text))


RELATED_HEADING = re.compile(r"^\W*(?:(?:berita|artikel|baca|lihat|simak)\s+(?:terkait|juga)|"
                             r"related|terkait)", re.I)
OTHER_LIST_HEADING = re.compile(r"populer|popular|terkini|terbaru|trending|latest|pilihan|"
                                r"rekomendasi|lainnya|video|foto", re.I)
RELATED_WORDS = re.compile(r"\brelated\b|\bterkait\b|baca[-_]?juga|\bbacajuga\b|"
                           r"\blinksisip\b|read[-_]?also|also[-_]?read|\bbaca\b", re.I)
# 32+ letters and digits with both cases and a digit: a token or hash, never prose.
_RANDOM_TOKEN = re.compile(r"(?=[^ ]*[0-9])(?=[^ ]*[a-z])(?=[^ ]*[A-Z])[A-Za-z0-9_-]{32,128}")
_RELATED_HINTS = ("related", "terkait", "baca", "linksisip", "also")  # one in every branch
TAG_HREF = re.compile(r"/(?:tag|tags|topik|topic|label|search/label|taxonomy/term)/", re.I)
TAGS_LABEL = re.compile(r"^\s*(?:tags?|topik|label|kata\s+kunci)\s*:", re.I)
# Cheap first looks before the regex and the class-word split (both ran on every element).
_TAG_HINT = re.compile(r"\s*[tTlLkK]")
_TAG_SUBSTRINGS = re.compile(r"tag|topik|label", re.I)
CRUMB_TEXT = re.compile(r"^(?:beranda|home|depan)\s*[»›>]", re.I)
CRUMB_HOME = re.compile(r"\s*(?:beranda|home|depan)\s*", re.I)
UPDATED = re.compile(r"\b(?:diperbarui|diupdate|updated?|pembaruan)\b\s*:?", re.I)


class NotAnArticle(Exception):
    """The page is readable but is not a news article; the message says why."""


def extract_article(doc: Document, url: str, now: datetime, channel_hosts) -> dict:
    verdict = url_verdict(url)  # what the URL alone settles, before any work on the page
    if verdict:
        raise NotAnArticle(verdict)
    node = article_node(doc) or {}
    root = doc.root
    publisher = doc.meta_first("og:site_name") or text_value(node.get("publisher") or {})

    canonical = _canonical(doc, node, url)
    channels = dedupe(
        canonical_channel_url(cid) for cid in
        (channel_id(joined, channel_hosts) for joined in
         (safe_join(url, a.get("href")) for a in root.iter("a")
          if "channel/" in (a.get("href") or "").lower()) if joined)
        if cid)
    tags = (doc.meta.get("article:tag") and dedupe(doc.meta["article:tag"])) or \
        keywords(node.get("keywords")) or _html_tags(root)
    related = _related_links(root, url)
    headline_el, headline = find_headline(doc, node, url)

    crumb_section = _breadcrumb_section(root, headline_el)
    markup = _article_markup(doc, node)
    body_el = root.find("body")
    body_el = body_el if body_el is not None else root
    page_chars = len(norm(text_of(body_el))) - sum(  # what the page shows: not its code
        len(norm(text_of(el))) for el in body_el.iter("script", "style", "template", "noscript"))
    password = root.find(".//input[@type='password']") is not None  # before any stripping

    def judge(page: _Reading) -> str | None:
        return page_verdict(PageFacts(
            body=page.body, url=url, has_article_markup=markup, teasers=page.main.teasers,
            page_chars=page_chars, has_password_form=password))

    page = _read(root, headline_el, headline, url, doc.tokens)
    verdict = judge(page)
    if verdict in (NO_BODY, LOGIN):  # second chance: an article wrapped in a "nav" box
        headline_el = find_headline(doc, node, url, doc.reparse())[0]
        page = _read(doc.root, headline_el, headline, url, doc.tokens, by_name=False)
        verdict = judge(page)
    if verdict in (NO_BODY, LOGIN) and isinstance(node.get("articleBody"), str):
        page.paragraphs = [p for p in map(norm, node["articleBody"].splitlines()) if p]
        page.body = "\n\n".join(page.paragraphs)
        verdict = judge(page)
    if verdict:
        raise NotAnArticle(verdict)
    body, images, caption = page.body, page.images, page.caption
    published, modified = _dates(doc, node, page.header_texts, now, url, page.body)
    byline, authors = _credits(doc, node, publisher, page)

    image_url = doc.meta_first("og:image", "og:image:url", "twitter:image") or image_value(
        node.get("image")) or (images[0]["url"] if images else None)
    return {
        "url": url,
        "canonical_url": canonical,
        "headline": headline or "",
        "caption": caption,
        "body": body,
        "byline": byline,
        "authors": authors,
        "date_published": to_iso(published) if published else None,
        "date_modified": to_iso(modified) if modified else None,
        "section": _section(doc, node, headline, canonical) or crumb_section,
        "tags": tags,
        "description": doc.meta_first("description", "og:description", "twitter:description")
        or text_value(node.get("description")),
        "image_url": safe_join(url, image_url),
        "image_archived": False,  # what the archive holds is the crawl's to say
        "image_payload_digest": None,
        "images": images,
        "language": doc.language,
        "whatsapp_channels": channels,
        "related_urls": [u for u in dedupe(related) if u != canonical
                         and u != canonicalize(url)],
        **body_measures(body),
    }


def body_measures(body: str) -> dict:
    """What an item says of its body besides the text: words and content hash."""
    return {"word_count": count_words(body),
            "content_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}


@dataclass(frozen=True)
class PageText:
    """What one more page of a multi-page article adds: its text, images and credits."""

    paragraphs: list[str]
    images: list[dict]
    byline: str | None
    authors: list[str]


def read_page(doc: Document, url: str) -> PageText:
    """The main text of a later page of a multi-page article, or of its show-all view,
    with the images and printed credits around it. No verdict: page 1 said what the
    article is, and a later page's URL alone would reject it."""
    node = article_node(doc) or {}
    headline_el, headline = find_headline(doc, node, url)
    page = _read(doc.root, headline_el, headline, url, doc.tokens)
    if not page.paragraphs:  # second chance, as for page 1: an article inside a "nav" box
        headline_el = find_headline(doc, node, url, doc.reparse())[0]
        page = _read(doc.root, headline_el, headline, url, doc.tokens, by_name=False)
    publisher = doc.meta_first("og:site_name") or text_value(node.get("publisher") or {})
    byline, authors = _credits(doc, node, publisher, page)
    return PageText(page.paragraphs, page.images, byline, authors)


@dataclass
class _Reading:
    """One reading of the page's body: its main text and what sits around it (images,
    captions, the header's short texts, the region holding headline and text)."""

    main: MainText
    images: list
    caption: str | None
    paragraphs: list[str]
    credits: list[str]
    header_texts: list[str]
    region: object = None
    headline_el: object = None
    body: str = ""


def _read(root, headline_el, headline, url: str, tokens, by_name: bool = True) -> _Reading:
    """Strip the chrome from ``root``'s body (in place), find the main text and its
    images, captions and credits. ``by_name=False`` strips only what no page shows
    (scripts, hidden elements), not what class names call navigation or comments."""
    body_el = root.find("body")
    body_el = body_el if body_el is not None else root
    strip_chrome(body_el, keep={headline_el} if headline_el is not None else frozenset(),
                 by_name=by_name)
    _remove_inline_inserts(body_el)
    blocks = walk_blocks(body_el, skip=_skip_meta)
    main = find_main_text(blocks, body_el, headline_el, url, headline)
    container = _common_ancestor(main.parts)
    region = _article_region(headline_el, container)
    images, caption = _images(region, headline_el, container, url, headline)
    captions = {text for i in images for text in (i.pop("printed"), i["caption"]) if text}
    paragraphs, credits = _paragraphs(main.blocks, headline, captions, tokens)
    header_texts = _header_texts(region, blocks, main.blocks, headline_el, captions)
    return _Reading(main=main, images=images, caption=caption, paragraphs=paragraphs,
                    credits=credits, header_texts=header_texts, region=region,
                    headline_el=headline_el, body="\n\n".join(paragraphs))


_LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})


def _article_markup(doc: Document, node: dict) -> bool:
    """The page says it is one article (or one video): a JSON-LD Article node, or
    ``og:type`` article/video that no JSON-LD listing type contradicts."""
    if node:
        return True
    kind = (doc.meta_first("og:type") or "").lower()
    if not (kind == "article" or kind.startswith("video")) and not doc.meta_first(
            "article:published_time"):
        return False
    return not any(node_types(n) & _LISTING_TYPES for n in doc.jsonld)


_META_AUTHORS = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
                 "article:author_name", "sailthru.author", "byl")


def _credits(doc: Document, node: dict, publisher: str | None, page: _Reading):
    """``(byline, authors)``: printed credits first (labelled lines in the body and
    around the headline, then initials closing the body: a name says more than its
    initials), then structured data, then a byline element near the headline, then an
    organisation credited as author that is not the publisher (byline.py has the
    conventions). Initials of a name credited in full are not listed again."""
    texts = page.credits + _header_credits(page.header_texts)
    labelled = [t for t in texts if is_labelled_credit(t)]
    initials = {name for t in texts if t not in labelled for name in parse_credit(t).names}
    printed = [credit for credit in map(parse_credit, labelled + [
        t for t in texts if t not in labelled]) if credit.byline]
    printed.sort(key=lambda credit: not credit.writers)  # a writer's credit before an editor's
    structured = person_names(node.get("author"), publisher) or dedupe(
        name for key in _META_AUTHORS for value in doc.meta.get(key, ())
        for name in person_names(re.sub(r"^\s*by\s+", "", value, flags=re.I), publisher))
    byline = printed[0].byline if printed else (", ".join(structured) or None)
    if byline is None and page.region is not None:
        text = byline_element_text(page.region, page.headline_el,
                                   set_aside(page.main.teasers))
        element = parse_credit(text) if text else None
        if element is not None and element.byline:
            printed, byline = [element], element.byline
    if byline is None:
        byline = ", ".join(person_names(node.get("author"), publisher, organisations=True)) or None
    writers = [name for credit in printed for name in credit.writers]
    editors = [name for credit in printed for name in credit.editors]
    names = merge_authors(structured, writers + editors)
    return byline, [n for n in names if n not in initials
                    or not any(abbreviates(n, full) for full in names)]


def _header_credits(texts: list[str]) -> list[str]:
    """Labelled credits among the header's short texts, a bare label ("Penulis:") joined
    to the text printed after it."""
    found = []
    for i, text in enumerate(texts):
        if not is_labelled_credit(text):
            continue
        if not parse_credit(text).names and i + 1 < len(texts):
            text = f"{text} {texts[i + 1]}"
        found.append(text)
    return sorted(found, key=len)


def _canonical(doc: Document, node: dict, url: str) -> str:
    for link in doc.root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return canonicalize(link.get("href"), url)
    entity = node.get("mainEntityOfPage")
    entity = entity.get("@id") if isinstance(entity, dict) else entity
    target = doc.meta_first("og:url") or (entity if isinstance(entity, str) else None) or url
    return canonicalize(target, url)


_TAG_WORDS = frozenset({"tag", "tags", "post-tags", "topik", "label", "labels", "tagcloud",
                        "tagging"})


def _html_tags(root) -> list[str]:
    """The article's tag block: found by class name or by its printed "Tags:" label
    (whose links may be its siblings: ``<span>Tags:</span> <a>...</a>``)."""
    names = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        text = el.text
        labelled = text and _TAG_HINT.match(text) and TAGS_LABEL.match(text)
        named = el.attrib and _TAG_SUBSTRINGS.search(identity(el)) and _TAG_WORDS.intersection(
            class_words(el))
        if not (labelled or named):
            continue
        if labelled and el.find(".//a") is None and el.getparent() is not None:
            el = el.getparent()
        names += [norm(text_of(a)).lstrip("#") for a in el.iter("a")
                  if TAG_HREF.search(a.get("href") or "")]
        if names:
            break
    return dedupe(n for n in names if n)


def _related_links(root, url: str) -> list[str]:
    """Links of "Baca Juga" inserts and related-article lists, in document order (read
    before the chrome is stripped)."""
    base = urlsplit(url)
    site = site_domain(base.netloc)
    verdicts: dict = {}  # one look at each ancestor box, shared by all its links
    candidates: dict[str, bool] = {}  # pages repeat the same hrefs many times
    found = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href not in candidates:
            target = _link_target(href, base.netloc, url)
            candidates[href] = bool(target and site_domain(target[0]) == site
                                    and target[1] != "/"
                                    and not NON_ARTICLE_PATH.search(target[1]))
        if candidates[href] and _is_related(a, verdicts):
            found.append(canonicalize(href, url))
    return found


_ABSOLUTE = re.compile(r"^(?:https?:)?//([^/?#]*)([^?#]*)", re.I)


def _link_target(href: str, netloc: str, base: str) -> tuple[str, str] | None:
    """``(netloc, path)`` of an http(s) link, by string work for the usual absolute and
    root-relative forms (urljoin costs more than the rest of the link scan)."""
    if not href or href[0] == "#":
        return None
    match = _ABSOLUTE.match(href)
    if match:
        return match.group(1), match.group(2) or "/"
    if href[0] == "/":
        return netloc, href.split("?", 1)[0].split("#", 1)[0]
    joined = safe_join(base, href)
    target = urlsplit(joined) if joined else None
    if target is None or target.scheme not in {"http", "https"}:
        return None
    return target.netloc, target.path


def _is_related(a, verdicts: dict) -> bool:
    prev = a.getprevious()
    parent = a.getparent()
    before = (prev.tail if prev is not None else parent.text if parent is not None else "") or ""
    if ends_with_label(before):
        return True
    classed = False
    for depth, el in enumerate(a.iterancestors()):
        if depth > 10:
            break
        if el not in verdicts:
            verdicts[el] = _box_verdict(el)
        verdict = verdicts[el]
        if verdict == "stop":
            break
        if isinstance(verdict, bool):
            return verdict
        classed = classed or verdict == "classed"
    return classed


def _box_verdict(el):
    """What an ancestor box says of the links in it: True (an insert or a related list),
    False (a popular/latest list), "classed" (related by class name only), "stop" (the
    article itself) or None."""
    tag = el.tag
    if tag in {"main", "body"} or (tag == "article" and next(el.iter("h1"), None) is not None):
        return "stop"
    if tag in {"p", "div", "li", "strong", "b", "span"}:
        opening = " ".join(islice(el.itertext(), 4))[:200]
        low = opening.lower()
        if ("juga" in low or "selengkapnya" in low or "tayang" in low) and \
                INSERT_PARAGRAPH.search(norm(opening)):
            return True
    heading = _list_heading(el)
    if heading and RELATED_HEADING.search(heading):
        return True
    if heading and OTHER_LIST_HEADING.search(heading):
        return False
    label = el.getprevious()  # <p>Baca juga:</p><figure><a>card</a></figure>
    if label is not None and isinstance(label.tag, str) and _LABEL_START.match(
            next((chunk for chunk in label.itertext() if chunk.strip()), "")) and \
            INSERT_LABEL.fullmatch(short_text(label, 30) or "-"):
        return True
    if not el.attrib:
        return None
    words = " ".join(class_words(el))  # lower case already
    return "classed" if any(hint in words for hint in _RELATED_HINTS) and RELATED_WORDS.search(
        words) else None


_LABEL_START = re.compile(r"[\W_]*(?:baca|lihat|simak|cek)", re.I)


def _list_heading(el) -> str | None:
    """The title of a link list: a heading just before it or as its first child."""
    for candidate in (el.getprevious(), el[0] if len(el) else None):
        if candidate is None or not isinstance(candidate.tag, str):
            continue
        heading = (candidate.tag in {"h2", "h3", "h4", "h5", "b", "strong"}
                   or (candidate.attrib and "title" in identity(candidate).lower())
                   or (len(candidate) and any(d.tag in {"h2", "h3", "h4"}
                                              for d in islice(candidate.iterdescendants(), 4))))
        if heading:  # also a heading wrapped in its own box (page builders)
            text = short_text(candidate, 39)
            if text:
                return text
    return None


def _breadcrumb_section(root, headline_el) -> str | None:
    """The last linked step of the page's breadcrumb before the article itself: a
    breadcrumb by class name first, else a short "Beranda » Kanal » ..." line."""
    headline = norm(text_of(headline_el)).lower() if headline_el is not None else ""
    classed = [el for el in root.iter() if el.attrib and "breadcrumb" in (
        f"{el.get('class') or ''} {el.get('id') or ''} {el.get('aria-label') or ''}".lower())]
    printed = (a.getparent() for a in root.iter("a") if CRUMB_HOME.fullmatch(a.text or ""))
    printed = [el for el in printed if el is not None and 2 <= len(el.findall(".//a")) <= 5
               and CRUMB_TEXT.match(norm(text_of(el))[:40])]
    for el in classed or printed:
        items = el.findall(".//li") or [c for c in el.iter("a", "span") if len(c) == 0]
        crumbs = []
        for item in items:
            text = norm(text_of(item)).strip(" ›»>/|·")
            current = item.get("aria-current") or "active" in class_words(item)
            if not text or current or text.lower() == headline or (
                    headline and text.lower()[:12] == headline[:12]) or len(text) > 40:
                continue
            crumbs.append(text)
        if crumbs and crumbs[0].lower() in {"home", "beranda", "index", "halaman utama", "depan"}:
            crumbs = crumbs[1:]
        if crumbs:
            return crumbs[-1]
    return None


def _remove_inline_inserts(body_el) -> None:
    """Cut "Baca Juga: <a>title</a>" inserts out of running text."""
    for a in list(body_el.iter("a")):
        parent = a.getparent()
        if parent is None:
            continue
        prev = a.getprevious()
        before = (prev.tail if prev is not None else parent.text) or ""
        label_el = None
        if not ends_with_label(before) and parent.tag in {"strong", "b", "em", "span"}:
            wrapper_prev = parent.getprevious()
            outer = parent.getparent()
            before_parent = (wrapper_prev.tail if wrapper_prev is not None else
                             (outer.text if outer is not None else "")) or ""
            if ends_with_label(norm(parent.text or "")) or ends_with_label(before_parent):
                label_el = parent
        if label_el is None and not ends_with_label(before):
            continue
        target = label_el if label_el is not None else a
        if label_el is None:
            if prev is not None:
                prev.tail = INSERT_LABEL.sub("", before)
            else:
                parent.text = INSERT_LABEL.sub("", before)
        else:
            owner_prev = target.getprevious()
            outer = target.getparent()
            if owner_prev is not None:
                owner_prev.tail = INSERT_LABEL.sub("", owner_prev.tail or "")
            elif outer is not None:
                outer.text = INSERT_LABEL.sub("", outer.text or "")
        target.tail = re.sub(r"^\s*\*{1,3}", " ", target.tail or "")
        drop_keep_tail(target)


def _skip_meta(el) -> bool:
    if el.tag != "time" and not el.attrib:  # meta and caption boxes are named by class
        return False
    return (is_meta_el(el) or el.tag == "time" or is_caption_el(el)) and len(
        text_of(el)) < 300


_JSON_START = re.compile(r"^\s*[{\[]\s*[\"{\[]")
_SCRIPT_START = re.compile(r"^\s*(?:(?:window|self|globalThis|document|var|let|const)\b"
                           r"[\w$.\[\]\"']*\s*(?:=|\.push\(|\()|\(?function\s*[\w$]*\()")


def looks_like_data(text: str) -> bool:
    """Serialized page state or script printed as text (``{"props":...}``, a Next.js
    ``__NEXT_DATA__`` that broken markup let out of its script, ``window.x = {...}``):
    never article text, unless the article shows it as code (``<pre>``)."""
    if _JSON_START.match(text):
        return '":' in text or '","' in text
    return bool(_SCRIPT_START.match(text))


def _paragraphs(blocks: list[Block], headline, captions,
                tokens: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """Body paragraphs and printed credits.

    A CTA or promo paragraph takes its small box with it (a "Gabung ..." title and the
    pitch under it). A session token printed as text (the real site shows its CSRF token
    by the headline) is never a paragraph: it changes on every request."""
    paragraphs: list[str] = []
    credits: list[str] = []
    bare_label = False  # the last credit is a label whose name is on the next line
    noisy = {id(b) for b in blocks if is_noise(b.text)}
    noise_boxes = {b.owner.getparent() for b in blocks if id(b) in noisy}
    noise_boxes = {box for box in noise_boxes
                   if box is not None and len(norm(text_of(box))) < 400}
    longest_caption = 2 * max(map(len, captions), default=0) + 40  # a doubled copy, UI words
    for block in blocks:
        text = block.text
        if not text or text == headline or text in captions or (
                captions and len(text) <= longest_caption and clean_caption(text) in captions):
            continue
        if block.link_chars >= 0.9 * len(text) and len(text) < 200:
            continue
        if text in tokens or _RANDOM_TOKEN.fullmatch(text) or (
                looks_like_data(text) and block.owner.tag not in {"pre", "code"}):
            continue
        if INSERT_PARAGRAPH.search(text) or block.owner.getparent() in noise_boxes:
            continue
        if id(block) in noisy:
            continue
        if bare_label and len(text.split()) <= 6:
            credits[-1] = f"{credits[-1]} {text}"  # "Penulis:" then the name on its own line
            bare_label = False
            continue
        bare_label = False
        if is_labelled_credit(text):
            credits.append(COPYRIGHT.sub("", text))
            bare_label = not parse_credit(credits[-1]).names
            continue
        paragraphs.append(text)
    while paragraphs:
        last, credit = split_trailing_credit(paragraphs[-1])
        if credit:
            credits.append(credit)
        if last:
            paragraphs[-1] = last
            break
        paragraphs.pop()
    return paragraphs, credits


def _images(region, headline_el, container, url, headline) -> tuple[list[dict], str | None]:
    """``[{url, caption, credit}]`` for the lead image and body images, and the lead
    caption (the credit split off: caption.py)."""
    started = headline_el is None or headline_el not in region.iter()
    last = _last_descendant(container)
    images: list[dict] = []
    seen = set()
    for el in region.iter():
        if el is headline_el:
            started = True
        if not started or el.tag not in {"img", "amp-img"}:
            if el is last:
                break  # an author box or a related card after the body is not the article's
            continue
        src = image_src(el, url)
        if src in seen or not is_content_image(el, src) or _in_chrome(el, region, container):
            continue
        seen.add(src)
        printed, credit_el = caption_for(el, headline, container)
        caption, credit = split_credit(printed)
        images.append({"url": src, "caption": caption, "credit": credit or credit_el,
                       "archived": False, "payload_digest": None, "printed": printed})
    return images, images[0]["caption"] if images else None


def _last_descendant(el):
    """The last element inside ``el`` in document order (``el`` itself if it is empty)."""
    while len(el):
        el = el[-1]
    return el


def _in_chrome(el, region, container) -> bool:
    for ancestor in el.iterancestors():
        if ancestor is region or ancestor is container:
            return False
        if ancestor.tag == "a" and not (ancestor.get("href") or "").lower().endswith(
                (".jpg", ".jpeg", ".png", ".webp")):
            return True
        if is_chrome(ancestor):
            return True
    return False


def _header_texts(region, blocks, body_blocks, headline_el, captions) -> list[str]:
    """Short texts printed around the headline, nearest first: where dates and credits are.

    Only the article's own region counts, so the top bar's "today" and sidebar dates of
    other articles are never read as this article's date."""
    order = {el: i for i, el in enumerate(region.iter())}
    start = order.get(headline_el, -1)
    metas = [el for el in region.iter() if isinstance(el.tag, str) and (
        el.tag == "time" or (el.attrib and is_meta_el(el))
        or (el.text and is_labelled_credit(norm(el.text))))]
    metas.sort(key=lambda el: (order[el] < start, order[el]))
    texts = [" ".join(b.text for b in walk_blocks(el)) for el in metas
             if len(text_of(el)) < 400]
    texts = [t for t in texts if t and len(t) < 200]
    first_body = body_blocks[0] if body_blocks else None
    started = headline_el is None
    for block in blocks:
        if block is first_body:
            break
        if not started:
            started = headline_el in block.owner.iterancestors() or block.owner is headline_el \
                or follows(block.owner, headline_el)
        if started and len(block.text) < 200 and block.text not in captions:
            texts.append(block.text)
    return dedupe(texts)


def _common_ancestor(elements: list):
    """The lowest element that holds every one of ``elements``."""
    first = elements[0]
    for candidate in [first, *first.iterancestors()]:
        if all(candidate is el or candidate in el.iterancestors() for el in elements):
            return candidate
    return first


def _article_region(headline_el, container):
    """The smallest element holding both the headline and the main text."""
    if headline_el is None:
        return container.getparent() if container.getparent() is not None else container
    if headline_el in container.iter():
        return container
    for ancestor in headline_el.iterancestors():
        if container in ancestor.iter():
            return ancestor
    return container



def _dates(doc: Document, node: dict, header_texts: list[str], now: datetime, url: str = "",
           body: str = ""):
    """``(published, modified)``: structured data, then the dates printed around the
    headline, then the URL (``url_date``)."""
    def first(*values):
        for value in values:
            if isinstance(value, list):
                value = value[0] if value else None
            moment = parse_date(value, now) if isinstance(value, str) else None
            if moment:
                return moment
        return None

    time_attrs = [t.get("datetime") for t in doc.root.iter("time") if t.get("datetime")]
    published = first(node.get("datePublished"), doc.meta_first(
        "article:published_time", "og:published_time", "datepublished", "pubdate",
        "publishdate", "publish-date", "dc.date", "dc.date.issued", "date"), *time_attrs[:1])
    modified = first(node.get("dateModified"), doc.meta_first(
        "article:modified_time", "og:updated_time", "datemodified", "last-modified"))
    for text in header_texts:
        parts = UPDATED.split(text, maxsplit=1)
        head, tail = (parts[0], parts[1]) if len(parts) == 2 else (text, "")
        if published is None:
            published = parse_date(head, now)
        if modified is None and tail:
            modified = parse_date(tail, now)
    if published is None:
        published = url_date(url, body, now)
    if published and modified and modified < published:
        modified = None
    return published, modified


_URL_DAY = re.compile(r"[/_-](20\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:\D|$)")
_URL_MONTH = re.compile(r"/(20\d\d)/(0[1-9]|1[0-2])/")
_DATELINE_DAY = re.compile(r"\((\d{1,2})/(\d{1,2})/(\d{4})\s*\)")


def url_date(url: str, body: str, now: datetime) -> datetime | None:
    """The last resort for a page that prints no date: a full date in its URL
    (``/2025/12/01/``, ``-20251201``), or the URL's year and month with the day of the
    dateline's ``(1/12/2025)`` when both agree (prakata.com's ``/2025/12/slug.html``)."""
    path = urlsplit(url).path
    match = _URL_DAY.search(path)
    if match:
        return parse_date("-".join(match.groups()), now)
    match = _URL_MONTH.search(path)
    dateline = _DATELINE_DAY.search(body[:600])
    if match and dateline and (int(dateline[3]), int(dateline[2])) == (
            int(match[1]), int(match[2])):
        return parse_date(f"{match[1]}-{match[2]}-{int(dateline[1]):02d}", now)
    return None


def _section(doc: Document, node: dict, headline, canonical) -> str | None:
    return (doc.meta_first("article:section")
            or text_value(node.get("articleSection"))
            or breadcrumb_section(doc, headline, canonical))

