"""Whitespace normalization: the one way every extracted string is cleaned.

Only white space changes; quotes, dashes and case stay as printed (edge case 12).
"""

from __future__ import annotations

from lxml import etree

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # and soft hyphens: invisible, never copied


def norm(text: str | None) -> str:
    """Collapse every run of (Unicode) white space to one space, drop zero-width marks."""
    if not text:
        return ""
    if not text.isascii():
        for mark in _ZERO_WIDTH:  # str.replace beats str.translate by far on long text
            if mark in text:
                text = text.replace(mark, "")
    if "&nbsp;" in text:  # double-escaped by some CMSes
        text = text.replace("&nbsp;", " ")
    return " ".join(text.split())  # str.split() knows the same Unicode white space as \s


_STRING = etree.XPath("string()", smart_strings=False)


def text_of(el) -> str:
    """All the text inside ``el`` (not its tail), as the XPath ``string()`` gives it."""
    return _STRING(el)


def short_text(el, limit: int) -> str | None:
    """The normalized text of ``el`` when it is at most ``limit`` characters, else None;
    stops reading early, so asking whether a big box is a short label costs nothing."""
    parts, raw = [], 0
    for chunk in el.itertext():
        raw += len(chunk)
        if raw > 4 * limit + 400:  # room for indentation white space
            return None
        parts.append(chunk)
    text = norm("".join(parts))
    return text if len(text) <= limit else None


def norm_or_none(text: str | None) -> str | None:
    cleaned = norm(text)
    return cleaned or None


def dedupe(values) -> list:
    """Keep the first of equal values, in order."""
    seen: set = set()
    out = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out
