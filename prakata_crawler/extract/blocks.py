"""Page cleaning and the block walk: the generic layer that survives unseen layouts.

The tree is first stripped of chrome (scripts, navigation, share bars, ads, related and
tag blocks) recognised by tag and by class/id words, then flattened into text blocks, each
owned by its nearest block-level element. Which blocks are the article is maintext.py's
question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from .text import norm, text_of

DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
    "button", "input", "select", "textarea", "option", "nav", "aside", "footer", "ins", "map",
    "amp-ad", "amp-social-share", "amp-analytics", "amp-sticky-ad", "amp-auto-ads", "amp-iframe",
    "amp-embed", "amp-consent", "amp-sidebar", "amp-list",
})
# What a second reading still removes (strip_chrome(by_name=False)).
NEVER_TEXT = frozenset({
    "script", "style", "template", "svg", "iframe", "object", "embed", "canvas", "button",
    "input", "select", "textarea", "option", "map", "amp-analytics", "amp-ad",
})
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tbody", "thead", "tr",
    "figure", "figcaption", "form", "center", "address", "details", "summary",
    "body", "html",
})
# Skipped by the walk but kept in the tree: media and captions are read by images.py.
SKIP_TAGS = frozenset({"figure", "figcaption", "img", "picture", "video", "audio", "amp-img",
                       "amp-video", "amp-carousel", "head", "title", "h1"})

_CHROME_PARTS = re.compile(
    r"^(?:share|sharing|shares|social|sosmed|socmed|related|terkait|comments?|komentar|sidebar|"
    r"iklan|adv|advert\w*|ads|ad|adsense|gpt|banner|breadcrumbs?|popular|populer|"
    r"terpopuler|trending|newsletter|subscribe|recommend\w*|rekomendasi|pilihan|linksisip|"
    r"paging|pagination|pager|promo|sponsor\w*|tags?|tagcloud|topik|topics?|nav|navbar|menu|"
    r"footer|cta|bacajuga|readalso|alsoread|outbrain|taboola|disqus|cookie|consent|summary|"
    r"ringkasan|subtitle|standfirst|bookmark|login|kgplus|gate|paywall|print|rating|reaction|emoji|"
    r"author-box|authorbox|"
    r"prevnext|next-prev|video-wrapper|twitter-tweet|instagram-media|tiktok-embed|embed)$"
)
_CHROME_JOINED = re.compile(r"baca[-_]?juga|lihat[-_]?juga|read[-_]?also|also[-_]?read|"
                            r"ten[-_]second|box[-_]?berita|berita[-_]?lain", re.I)
CAPTION_WORDS = re.compile(r"caption|keterangan|\bket\b|img-desc|photo-desc|foto-desc|"
                           r"image-desc|wp-caption", re.I)
META_PARTS = frozenset({"meta", "date", "dates", "time", "times", "timestamp", "byline", "author",
                        "authors", "penulis", "editor", "reporter", "posted", "published",
                        "tanggal", "waktu", "info", "entry-meta", "post-meta", "detail__date",
                        "read__time"})
# A word every CAPTION_WORDS branch holds: substring tests before the regex, which is slow
# when case-insensitive.
_CAPTION_HINTS = ("caption", "keterangan", "ket", "desc")


@lru_cache(maxsize=4096)
def _words(raw: str) -> tuple[str, ...]:
    raw = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", raw)  # K2's itemTagsBlock -> item-tags-block
    words: list[str] = []
    for name in raw.lower().split():
        words.append(name)
        words.extend(p for p in re.split(r"[-_]+", name) if p)
    return tuple(words)


def class_words(el) -> tuple[str, ...]:
    """An element's class and id, whole and split at ``-``/``_``/camelCase:
    ``td-post-sharing`` gives ``td-post-sharing``, ``td``, ``post``, ``sharing``."""
    return _words(identity(el))


def identity(el) -> str:
    """What names an element: class, id, and the test ids React sites name things by
    (their class names are hashes), in the order the page wrote them."""
    return " ".join(value for name, value in el.items() if name in _NAMING and value)


_NAMING = frozenset({"class", "id", "data-testid", "data-qa-id", "data-component"})


def is_chrome(el) -> bool:
    """True for a share bar, ad slot, related or tag block, widget: never article text."""
    return _chrome_raw(identity(el))


@lru_cache(maxsize=4096)
def _chrome_raw(raw: str) -> bool:
    if not raw.strip():
        return False
    if _CHROME_JOINED.search(raw):
        return True
    if any(name.lower() in {"widget", "widgets"} for name in raw.split()):
        return True  # WordPress sidebar widgets; not Elementor's elementor-widget-* wrappers
    return any(_CHROME_PARTS.match(w) for w in _words(raw))


def is_caption_el(el) -> bool:
    named = f"{el.get('class') or ''} {el.get('id') or ''}"
    low = named.lower()
    return any(hint in low for hint in _CAPTION_HINTS) and bool(CAPTION_WORDS.search(named))


def is_meta_el(el) -> bool:
    return el.tag not in {"p", "article", "main", "body"} and not META_PARTS.isdisjoint(
        class_words(el))


def drop_keep_tail(el) -> None:
    """Remove ``el`` but keep the text that follows it (lxml stores it on the element)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def strip_chrome(root, keep=frozenset(), by_name: bool = True) -> None:
    """Remove comments, scripts and page chrome in place; elements in ``keep`` survive.

    ``by_name=False`` is the second reading of a page the first found empty: it removes
    only what never holds text (scripts, styles, widgets, hidden elements) and keeps
    ``nav``, ``aside``, ``footer``, ``noscript`` and whatever class names call chrome,
    since broken markup can nest a whole article inside any of them; and it reads the
    markup of ``<script type="text/template">`` (Blogger ships the article in one).

    A pre-order walk that does not enter what it removed: a dropped menu's links need no
    look of their own."""
    drop = DROP_TAGS if by_name else NEVER_TEXT
    stack = root[::-1]
    while stack:
        el = stack.pop()
        if not _dropped(el, keep, by_name, drop):
            stack.extend(el[::-1])


def _dropped(el, keep, by_name: bool, drop: frozenset) -> bool:
    tag = el.tag
    if not isinstance(tag, str):
        drop_keep_tail(el)
    elif el in keep or (tag not in drop and tag != "form" and not el.attrib):
        return False  # most of the tree: nothing names it, nothing hides it
    elif not by_name and tag == "script" and (el.get("type") or "").lower() in _MARKUP_SCRIPTS:
        _unwrap_template(el)
        return False
    elif tag in drop or (by_name and tag not in {"body", "html", "article", "main"}
                         and is_chrome(el) and not _holds(el, keep)
                         and not _holds_article_text(el)):
        drop_keep_tail(el)
    elif el.get("hidden") is not None or el.get("aria-hidden") == "true" or "display:none" in (
            el.get("style") or "").replace(" ", "") or _HIDDEN.intersection(
            (el.get("class") or "").split()):
        drop_keep_tail(el)
    elif by_name and tag == "form" and el.find(".//input[@type='email']") is not None and len(
            norm(text_of(el))) < 400:  # not ASP.NET's one form around the whole page
        box = el.getparent()  # a newsletter sign-up card: the pitch goes with the form
        small = box is not None and box.tag != "body" and len(norm(text_of(box))) < 400
        drop_keep_tail(box if small else el)
        return True
    else:
        return False
    return True


# Blogger and other client-side templates ship the article as markup inside a script.
_MARKUP_SCRIPTS = frozenset({"text/template", "text/html", "text/x-template"})
_FRAGMENT_PARSER = etree.HTMLParser(remove_pis=True, remove_comments=True)


def _unwrap_template(script) -> None:
    """Replace a ``<script type="text/template">`` by the elements its markup holds
    (left as they are: this is the second reading, which strips nothing by name)."""
    markup = script.text or ""
    parent = script.getparent()
    if parent is None:
        return
    wrapper = etree.fromstring(f"<div>{markup}</div>", _FRAGMENT_PARSER) if markup.strip() \
        else None
    div = wrapper.find(".//div") if wrapper is not None else None
    if div is None:
        drop_keep_tail(script)
        return
    div.tail = script.tail
    parent.replace(script, div)


_HIDDEN = frozenset({"visually-hidden", "sr-only", "screen-reader-text", "element-invisible",
                     "hidden", "d-none", "is-hidden"})
_COMMENTS = re.compile(r"comment|komentar|disqus", re.I)
_ASIDE = re.compile(r"sidebar|footer", re.I)


def _holds_article_text(el) -> bool:
    """A class word such as ``no-share`` can sit on the article's own wrapper: an element
    with a lot of non-link paragraph text is never chrome. Comments are chrome whatever
    their size; a "sidebar" or "footer" name is believed unless the element holds most of
    the page's paragraphs (``contentWithSidebar`` is a content column)."""
    named = f"{el.get('class') or ''} {el.get('id') or ''}"
    if _COMMENTS.search(named):
        return False
    own = _paragraph_chars(el)
    if own <= 500:
        return False
    if _ASIDE.search(named):
        root = el.getroottree().getroot()
        return own > 0.5 * _paragraph_chars(root)
    return True


def _paragraph_chars(el) -> int:
    """Characters of paragraph text outside links."""
    text = sum(len(norm(text_of(p))) for p in el.iter("p"))
    return text - sum(len(norm(text_of(a))) for p in el.iter("p") for a in p.iter("a"))


def _holds(el, keep) -> bool:
    return any(k is not el and el in k.iterancestors() for k in keep)


@dataclass
class Block:
    """One paragraph-like run of text and the element that owns it."""

    owner: etree._Element
    parts: list[str] = field(default_factory=list)
    link_chars: int = 0
    text: str = ""  # set once the block is complete; read many times after


def walk_blocks(root, skip=lambda el: False) -> list[Block]:
    """Flatten ``root`` into text blocks in reading order.

    Block-level elements start and end blocks; inside a ``p`` a ``<br>`` is a space, elsewhere
    it ends the block (Blogger-style ``text<br><br>text`` bodies).
    """
    blocks: list[Block] = []
    current: list[Block | None] = [None]

    def flush() -> None:
        block = current[0]
        if block is not None:
            block.text = norm("".join(block.parts))
            if block.text:
                blocks.append(block)
        current[0] = None

    def add(owner, text: str | None, link: str | None = None) -> None:
        if not text:
            return
        if current[0] is None:
            current[0] = Block(owner)
        current[0].parts.append(text)
        if link is not None:
            current[0].link_chars += len(norm(text))

    def visit(el, owner, link: str | None) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in SKIP_TAGS or skip(el):
            if tag in SKIP_TAGS and tag not in {"img", "amp-img"}:
                flush()
            add(owner, el.tail, link)
            return
        if tag in {"td", "th"}:  # a table row reads as one line: "Kota | 41,2 | 2"
            if current[0] is not None and "".join(current[0].parts).strip():
                add(owner, " | ", None)
            add(owner, el.text, link)
            for child in el:
                visit(child, owner, link)
            add(owner, el.tail, link)
            return
        if tag == "br":
            if owner.tag in {"p", "li", "h2", "h3", "h4", "h5", "h6", "dd", "dt"}:
                add(owner, " ", link)
            else:
                flush()
            add(owner, el.tail, link)
            return
        if tag == "a" and el.get("href") and not el.get("href").lstrip().lower().startswith(
                "javascript:"):  # a script hook, not a link to another page
            link = el.get("href")
        if tag in BLOCK_TAGS:
            flush()
            add(el, el.text, link)
            for child in el:
                visit(child, el, link)
            flush()
            add(owner, el.tail, None)
            return
        add(owner, el.text, link)
        for child in el:
            visit(child, owner, link)
        add(owner, el.tail, None if tag == "a" else link)

    visit(root, root, None)
    flush()
    return blocks
