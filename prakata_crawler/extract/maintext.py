"""Where the main text is: the blocks of the article body, chosen from the block walk.

Three steps, each measurable on its own (``./run bench quality``):

1. teasers: boxes around one linked heading with a short text (the cards of a listing, a
   "more stories" rail) are set aside: their excerpts read like prose but are not this
   page's text. When nothing else is left, the page is a listing (classify.py says so);
2. the core: the deepest element holding most of the remaining prose;
3. the lead: article text often starts just outside that element (a lead paragraph in
   the header, an intro box). The block sequence is extended backwards from the core over
   text that reads like prose, stopping at the headline, at link lists and furniture, at
   a standfirst (a summary printed under the headline is not the article's text), and
   after a few short blocks in a row (jusText's idea: short blocks count only between
   good ones). Extending forwards as well was measured and dropped: after the body come
   author bios, paywall pitches and newsletter boxes, and on trafilatura-eval it cost more
   precision (-0.011) than it gained recall (+0.005).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..urls import canonicalize
from .blocks import Block, class_words
from .byline import is_labelled_credit
from .text import norm, short_text, text_of

_MAX_PENDING = 3  # short blocks in a row before the extension gives up
_STANDFIRST = frozenset({"standfirst", "dek", "excerpt", "subtitle", "subheadline", "summary",
                         "ringkasan", "deck", "kicker"})
MAX_TEASER_CHARS = 1000  # a box with more text than this is a full post, not a teaser
_RAIL_OWN_TEXT = 150  # a box beside the cards holding more is text, not a rail's title
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_PARAGRAPHS = frozenset({"p", "li", "blockquote", "pre", "td", "dd", *_HEADINGS})
_SENTENCE_END = re.compile(r"[.!?\"”’')…:]$")


@dataclass
class MainText:
    """The body blocks in reading order, the core's parts and the teaser cards found."""

    blocks: list[Block]
    parts: list
    teasers: list = field(default_factory=list)


def find_main_text(blocks: list[Block], body, headline_el, url: str,
                   headline: str | None = None) -> MainText:
    """The article's blocks among ``blocks`` (the walk of ``body``)."""
    teasers = teaser_units(body, url, headline)
    in_teasers = set_aside(teasers)
    parts = main_container(blocks, body, exclude=in_teasers)
    inside = {el for part in parts for el in part.iter()}
    core = [i for i, b in enumerate(blocks) if b.owner in inside and b.owner not in in_teasers]
    chosen = extend(blocks, core, lambda b: headline_el is not None
                    and not follows(b.owner, headline_el), bounded=headline_el is not None)
    kept = trim_tail([blocks[i] for i in chosen])
    return MainText(blocks=kept, parts=parts, teasers=teasers)


def trim_tail(blocks: list[Block]) -> list[Block]:
    """The body ends with its last sentence: labels, headings and links after it ("Mehr
    zum Thema", "Le puede interesar", "Verwandte Beiträge") are the start of the page's
    next box, in whatever language."""
    if not any(block_quality(block) == "good" for block in blocks):
        return blocks  # no sentence to end on: a page of short lines is what it is
    end = len(blocks)
    while end > 1 and _trailing_label(blocks[end - 1]) and not is_labelled_credit(
            blocks[end - 2].text):  # "Penulis:" and the name after it: a credit, not a label
        end -= 1
    if end < len(blocks) and _INTRODUCES.search(blocks[end - 1].text) and len(
            blocks[end - 1].text.split()) > 3:
        return blocks  # "Berikut daftar harga hari ini:" and the lines it announces
    return blocks[:end]


_INTRODUCES = re.compile(r":\s*$")


_LABEL_END = re.compile(r"[:»›>]\s*$|\.\.\.$|…$")


def _trailing_label(block: Block) -> bool:
    """A block that opens the next box rather than ends the article: a link, a heading or
    a short "Mehr zum Thema:" label. List items, code and table rows end articles often."""
    text = block.text
    if is_labelled_credit(text):
        return False  # "Laporan: Yusuf Maulana" closing the body: the byline (article.py)
    if block.link_chars >= 0.5 * len(text):
        return True
    if len(text) > 80 or block.owner.tag in {"li", "pre", "code", "td", "tr", "dd"}:
        return False
    if block.owner.tag in _HEADINGS or (_LABEL_END.search(text) and len(text.split()) <= 3):
        return True
    return not _SENTENCE_END.search(text) and len(text.split()) <= 6


def set_aside(teasers: list) -> set:
    """The elements of teaser cards kept out of the main text and the byline search: cards
    that stand in a rail of their own (their box holds little else), when there are two
    or more. A lone linked heading may be the article's section label, and cards between
    the paragraphs of a list article ("Lima Pantai di Garut": a linked heading and a
    paragraph per beach) are its text."""
    if len(teasers) < 2:
        return set()
    units = set(teasers)
    tags = {unit.tag for unit in teasers}
    rails: dict = {}
    for unit in teasers:
        parent = unit.getparent()
        if parent is not None and parent not in rails:  # siblings shaped like the cards
            own = [len(norm(text_of(child))) for child in parent  # count as cards
                   if isinstance(child.tag, str) and child not in units and child.tag not in tags
                   and (child.tag == "p" or len(norm(text_of(child))) > _RAIL_OWN_TEXT)]
            rails[parent] = not any(size >= 60 for size in own)  # a paragraph: article text
    return {el for unit in teasers if rails.get(unit.getparent(), True) for el in unit.iter()}


def _prose_weight(block: Block) -> int:
    """How much a block looks like article prose: long, few links, ends like a sentence
    (or is a long run of sentences). Dates, menus and link lists weigh nothing."""
    text = block.text
    if len(text) < 120 or block.link_chars > 0.3 * len(text):
        return 0
    if not _SENTENCE_END.search(text) and (len(text) < 400 or text.count(". ") < 2):
        return 0  # a long run of sentences (a <br>-broken paragraph) may end on anything
    return len(text) - block.link_chars


def _link_weight(block: Block) -> int:
    text = block.text
    return 0 if len(text) < 25 else max(0, len(text) - 2 * block.link_chars)


def main_container(blocks: list[Block], body, share: float = 0.8, exclude=frozenset()) -> list:
    """The article text's container: the deepest element holding at least ``share`` of
    the page's prose (blocks owned by ``exclude`` not counted), plus sibling parts of a
    body split by an ad or an intro box.

    Returns the parts in document order (usually one)."""
    for weigh in (_prose_weight, _link_weight):
        scores: dict = {}
        for block in blocks:
            if block.owner in exclude:
                continue
            weight = weigh(block)
            if not weight:
                continue
            node = block.owner
            while node is not None:
                scores[node] = scores.get(node, 0) + weight
                node = node.getparent()
        if scores.get(body):
            break
    total = scores.get(body, 0)
    if not total:
        return [body]
    node = body
    while True:
        best = max((c for c in node if c in scores), key=scores.get, default=None)
        if best is None or scores[best] < share * total:
            break
        node = best
    if node.tag in _PARAGRAPHS and node.getparent() is not None:
        node = node.getparent()  # one prose paragraph: the body is the box it sits in
    parent = node.getparent()
    if parent is None or node is body:
        return [node]
    return [sibling for sibling in parent if sibling is node or (
        sibling in scores and isinstance(sibling.tag, str) and sibling.tag == node.tag and (
            (sibling.get("class") and sibling.get("class") == node.get("class"))
            or _all_prose(sibling, blocks)))]


def _all_prose(el, blocks: list[Block]) -> bool:
    """A neighbour made only of prose paragraphs (an intro box beside the full text)."""
    inside = [b for b in blocks if b.owner is el or el in b.owner.iterancestors()]
    return bool(inside) and all(_prose_weight(b) for b in inside)


def linked_headings(root, url: str, headline: str | None = None) -> list:
    """Headings that are links to another page (a teaser's title): the link holds the
    heading's text, or the heading sits inside the link. A blog's permalink on its own
    title is not a teaser."""
    own = {canonicalize(url)} if url else set()
    found = []
    for heading in root.iter(*_HEADINGS):
        text = norm(text_of(heading))
        if len(text) < 10 or text == headline:
            continue
        links = [a for a in heading.iter("a") if a.get("href")]
        wrapper = next((a for a in heading.iterancestors() if a.tag == "a"), None)
        if wrapper is not None and wrapper.get("href"):
            links = [wrapper]
        elif sum(len(norm(text_of(a))) for a in links) < 0.7 * len(text):
            continue
        if links and not any(canonicalize(a.get("href"), url) in own for a in links):
            found.append(heading)
    return found


def teaser_units(root, url: str, headline: str | None = None) -> list:
    """Teaser boxes: the largest box around one linked heading and no other whose text is
    short (a card: title, excerpt, date)."""
    headings = linked_headings(root, url, headline)
    if not headings:
        return []
    count: dict = {}  # element -> linked headings inside it
    for heading in headings:
        for ancestor in heading.iterancestors():
            count[ancestor] = count.get(ancestor, 0) + 1
    units = []
    for heading in headings:
        unit = heading
        for ancestor in heading.iterancestors():
            if count[ancestor] > 1 or short_text(ancestor, MAX_TEASER_CHARS) is None:
                break
            unit = ancestor
        if unit is not heading or len(headings) > 1:
            units.append(unit)
    return units


def block_quality(block: Block) -> str:
    """``good`` (prose), ``short`` (a heading, a label: neutral) or ``bad`` (links,
    furniture, a standfirst). Length and link share only, so it holds in any language."""
    text = block.text
    size = len(text)
    if block.link_chars > 0.5 * size or _standfirst(block.owner):
        return "bad"
    if size >= 80 and block.link_chars <= 0.25 * size:
        return "good"
    return "short"


def _standfirst(el) -> bool:
    for node in (el, el.getparent()):
        if node is not None and node.attrib and _STANDFIRST.intersection(class_words(node)):
            return True
    return False


def extend(blocks: list[Block], core: list[int], before_headline,
           bounded: bool = False) -> list[int]:
    """Indexes of the body blocks: ``core`` plus the lead printed just before it.

    ``before_headline(block)`` is True for a block printed before the article's headline;
    such blocks are never the body's lead. When the headline ``bounded`` the walk, a row of
    share buttons between the lead and the body is stepped over."""
    if not core:
        return []
    chosen = set(core)
    pending: list[int] = []
    i = core[0] - 1
    while i >= 0:
        block = blocks[i]
        if before_headline(block):
            break
        quality = block_quality(block)
        if quality == "bad" and bounded and len(block.text) <= 30 and block.link_chars:
            i -= 1
            continue
        if quality == "bad":
            break
        if quality == "short":
            pending.append(i)
            if len(pending) > _MAX_PENDING:
                break
        else:
            chosen.update(pending)
            chosen.add(i)
            pending = []
        i -= 1
    return sorted(chosen)


def follows(el, anchor) -> bool:
    """True when ``el`` comes after ``anchor`` in document order (and is not inside it)."""
    if anchor is None:
        return True
    lineage = {el, *el.iterancestors()}
    while anchor is not None:
        if any(following in lineage for following in anchor.itersiblings()):
            return True
        anchor = anchor.getparent()
    return False
