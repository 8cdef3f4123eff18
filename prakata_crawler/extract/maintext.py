"""Where the main text is: the blocks of the article body, chosen from the block walk.

Two steps, each measurable on its own (``./run bench quality``):

1. the core: the deepest element holding most of the page's prose (``main_container``);
2. the lead: article text often starts just outside that element (a lead paragraph in
   the header, an intro box). The block sequence is extended backwards from the core over
   text that reads like prose, stopping at the headline, at link lists and furniture, at
   a standfirst (a summary printed under the headline is not the article's text), and
   after a few short blocks in a row (jusText's idea: short blocks count only between
   good ones). Extending forwards as well was measured and dropped: after the body come
   author bios, paywall pitches and newsletter boxes, and on trafilatura-eval it cost more
   precision (-0.011) than it gained recall (+0.005).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .blocks import Block, class_words

_MAX_PENDING = 3  # short blocks in a row before the extension gives up
_STANDFIRST = frozenset({"standfirst", "dek", "excerpt", "subtitle", "subheadline", "summary",
                         "ringkasan", "deck", "kicker"})


@dataclass
class MainText:
    """The body blocks in reading order, the core's parts, and why they were chosen."""

    blocks: list[Block]
    parts: list
    evidence: dict = field(default_factory=dict)


def block_quality(block: Block) -> str:
    """``good`` (prose), ``short`` (a heading, a label: neutral) or ``bad`` (links,
    furniture). Length and link share only, so it holds in any language."""
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


def extend(blocks: list[Block], core: list[int], before_headline) -> list[int]:
    """Indexes of the body blocks: ``core`` plus the lead printed just before it.

    ``before_headline(block)`` is True for a block printed before the article's headline;
    such blocks are never the body's lead."""
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
