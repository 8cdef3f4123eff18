"""Decode a page once and parse it once into one lxml tree.

Charset order follows browsers: BOM, HTTP header, ``<meta charset>``, then UTF-8; a page that
claims UTF-8 but is not (common on old portals) is read as windows-1252 instead of being
filled with replacement characters.
"""

from __future__ import annotations

import json
import re
from functools import cached_property

from lxml import etree
from w3lib.encoding import html_to_unicode

from .text import norm, text_of

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_BAD_ENCODING_SHARE = 0.001
# Plain etree elements: lxml.html's per-element Python class lookup costs a tenth of the
# extraction time and nothing here uses its methods.
_PARSER = etree.HTMLParser(remove_pis=True)


class EmptyDocument(ValueError):
    """Raised when the bytes hold no parseable document."""


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for an HTML body."""
    encoding, text = html_to_unicode(content_type, body)
    if encoding in {"utf-8", "utf8"} and text.count("\ufffd") > len(text) * _BAD_ENCODING_SHARE:
        try:
            return body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return text, encoding


class Document:
    """A decoded, parsed page with cached views of its metadata."""

    def __init__(self, body: bytes, url: str, content_type: str | None = None):
        self.url = url
        # Control bytes are removed before decoding: bytes.translate is a memory pass,
        # a regex over the decoded text cost a third of the parse. Only ASCII-compatible
        # encodings reach here (NUL-heavy UTF-16/32 bodies are rejected as not HTML).
        text, self.encoding = decode(body.translate(None, _CONTROL_BYTES), content_type)
        if self.encoding.startswith(("utf-16", "utf-32", "utf_16", "utf_32")):
            text = _CONTROL.sub("", text)
        text = _XML_DECL.sub("", text, count=1)
        if not text or text.isspace():
            raise EmptyDocument("empty document")
        try:
            self.root = etree.fromstring(text, _PARSER)
        except (etree.ParserError, ValueError) as exc:
            raise EmptyDocument(f"unparseable document: {exc}") from exc
        if self.root is None:
            raise EmptyDocument("unparseable document: no elements")
        self.head_text = text[:4096]

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """``<meta>`` contents keyed by lower-cased ``property``/``name``/``itemprop``."""
        found: dict[str, list[str]] = {}
        for el in self.root.iter("meta"):
            key = el.get("property") or el.get("name") or el.get("itemprop")
            content = el.get("content")
            if key and content is not None and norm(content):
                found.setdefault(key.strip().lower(), []).append(norm(content))
        return found

    def meta_first(self, *keys: str) -> str | None:
        for key in keys:
            values = self.meta.get(key)
            if values:
                return values[0]
        return None

    @cached_property
    def jsonld(self) -> list[dict]:
        """Every JSON-LD node (``@graph`` flattened, lists unrolled); bad blocks skipped."""
        nodes: list[dict] = []
        for script in self.root.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            raw = (script.text or "").strip()
            if not raw:
                continue
            try:
                data = json.loads(raw, strict=False)
            except ValueError:
                try:  # trailing commas and stray control characters are the usual breakage
                    data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
                except ValueError:
                    continue
            _collect_nodes(data, nodes)
        return nodes

    @cached_property
    def title(self) -> str:
        el = self.root.find(".//title")
        return norm(text_of(el)) if el is not None else ""

    @cached_property
    def language(self) -> str | None:
        lang = self.root.get("lang") or self.root.get("xml:lang") or self.meta_first("og:locale")
        if not lang:
            for node in self.jsonld:
                if isinstance(node.get("inLanguage"), str):
                    lang = node["inLanguage"]
                    break
        if not lang:
            return None
        primary = re.split(r"[-_]", lang.strip())[0].lower()
        return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _collect_nodes(data, out: list[dict]) -> None:
    if isinstance(data, list):
        for item in data:
            _collect_nodes(item, out)
    elif isinstance(data, dict):
        if "@graph" in data:
            _collect_nodes(data["@graph"], out)
        if "@type" in data:
            out.append(data)


def node_types(node: dict) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k for k in kinds if isinstance(k, str)}
