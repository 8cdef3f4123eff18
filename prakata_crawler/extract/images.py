"""Article images and the lead photo's caption.

A caption is read from the nearest of: the figure's ``figcaption`` (or a WordPress/Blogger
caption element), a caption-like element right after the image, a plain sentence between
the lead image and the body, then the image's ``title`` and ``alt``.
"""

from __future__ import annotations

import re

from ..urls import safe_join
from .blocks import class_words, is_caption_el
from .caption import clean_caption
from .text import norm, text_of

_SKIP_WORDS = frozenset({"logo", "avatar", "icon", "icons", "sprite", "pixel", "spacer", "blank",
                         "placeholder", "emoji", "badge", "gravatar", "ad", "ads", "banner",
                         "iklan", "advertisement"})
_CREDIT_WORDS = frozenset({"author", "credit", "credits", "photographer", "fotografer", "sumber",
                           "copyright"})
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-srcset", "src", "srcset")


def image_src(img, base: str) -> str | None:
    for attr in _LAZY_ATTRS:
        value = (img.get(attr) or "").strip()
        if attr.endswith("srcset") and value:
            value = value.split(",")[0].split()[0]
        if value and not value.startswith("data:"):
            return safe_join(base, value)
    return None


def is_content_image(img, url: str | None) -> bool:
    if not url:
        return False
    words = " ".join(filter(None, (img.get("class"), img.get("id"), url))).lower()
    if _SKIP_WORDS.intersection(re.split(r"[^a-z0-9]+", words)):
        return False
    for attr in ("width", "height"):
        value = re.match(r"\d+", img.get(attr) or "")
        if value and int(value.group()) < 80:
            return False
    return True


def _figure(img):
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure" or (ancestor.tag in {"div", "table", "span"}
                                        and is_caption_el(ancestor)):
            return ancestor
        if ancestor.tag in {"article", "main", "body"}:
            return None
    return None


def _wrapper(img):
    """The outermost element around ``img`` that holds nothing but the image."""
    node = img
    for ancestor in img.iterancestors():
        if norm(text_of(ancestor)) or len(ancestor.findall(".//img")) > 1:
            break
        node = ancestor
    return node


def _credit_after(el) -> str | None:
    """A photo credit printed right after a caption (``KOMPAS.com/ACEP NAZMUDIN``)."""
    following = el.getnext()
    if following is not None and isinstance(following.tag, str) and _CREDIT_WORDS.intersection(
            class_words(following)):
        text = norm(text_of(following))
        if 0 < len(text) <= 80:
            return text
    return None


def _fuller_copy(figure, caption: str) -> str | None:
    """Some templates print the caption twice, the second copy with the credit
    (``... (29/11/2025). /Kabar Banten/Iman Hidayat``): prefer that copy."""
    for following in list(figure.itersiblings())[:2]:
        if isinstance(following.tag, str) and is_caption_el(following):
            text = clean_caption(text_of(following))
            if text and text != caption and text.startswith(caption):
                return text
    return None


def _is_image_box(el, container) -> bool:
    """A small box around one image: whatever text it holds belongs to the image."""
    return (el is not container and el.tag not in {"article", "main", "body"}
            and len(el.findall(".//img")) <= 2 and len(norm(text_of(el))) <= 500)


def caption_for(img, headline: str | None, container=None) -> tuple[str | None, str | None]:
    """``(caption, credit)`` printed for ``img``: the caption as printed (a credit inside
    it is split off by caption.split_credit) and a credit printed in an element of its
    own."""
    figure = _figure(img)
    if figure is not None:
        for el in figure.iter():
            if el is not figure and isinstance(el.tag, str) and (
                    el.tag == "figcaption" or is_caption_el(el)):
                caption = clean_caption(text_of(el), headline)
                if caption:
                    return _fuller_copy(figure, caption) or caption, _credit_after(el)
    wrapper = _wrapper(img)
    box = wrapper.getparent()
    for following in list(wrapper.itersiblings())[:3]:
        if not isinstance(following.tag, str):
            continue
        text = norm(text_of(following))
        caption = clean_caption(text, headline)
        if not caption:
            continue  # "Lihat Foto" and other UI words between image and caption
        styled = is_caption_el(following) or (
            following.tag in {"p", "div", "span"} and len(following) == 1
            and following[0].tag in {"em", "i", "small"}
            and norm(text_of(following[0])) == text)
        outside_body = container is not None and following not in container.iter()
        in_image_box = box is not None and _is_image_box(box, container)
        if len(text) <= 400 and (styled or in_image_box or (outside_body and following.tag == "p")):
            return caption, _credit_after(following)
        break
    for attr in ("title", "alt"):
        caption = clean_caption(img.get(attr), headline)
        if caption and len(caption.split()) >= 4:
            return caption, None
    return None, None
