"""Decode a page once and parse it once into one lxml tree.

Charset order follows browsers: BOM, HTTP header, ``<meta charset>``, then UTF-8; a page that
claims UTF-8 but is not (common on old portals) is read as windows-1252 instead of being
filled with replacement characters.
"""

from __future__ import annotations

import codecs
import json
import re
from functools import cached_property

from lxml import etree
from w3lib.encoding import html_to_unicode

from .text import norm, text_of

CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_BAD_ENCODING_SHARE = 0.001
# Plain etree elements: lxml.html's per-element Python class lookup costs a tenth of the
# extraction time and nothing here uses its methods.
_PARSER = etree.HTMLParser(remove_pis=True)


class EmptyDocument(ValueError):
    """Raised when the bytes hold no parseable document."""


_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
              (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_WIDE_CHARSET = re.compile(r"charset\s*=\s*[\"']?(utf-?(?:16|32)(?:-?[lb]e)?)", re.I)


def narrow(body: bytes, content_type: str | None = None) -> bytes:
    """A UTF-16/32 page (by its BOM or its Content-Type) as UTF-8 with a UTF-8 BOM, which
    outranks whatever its ``<meta charset>`` says; any other page unchanged. Everything
    after this reads ASCII-compatible bytes (and may treat NUL bytes as binary)."""
    codec = next((name for bom, name in _WIDE_BOMS if body.startswith(bom)), None)
    if codec is None and content_type:
        match = _WIDE_CHARSET.search(content_type)
        codec = match.group(1) if match else None
    if codec is None:
        return body
    try:
        text = body.decode(codec, errors="replace")
    except LookupError:
        return body
    return codecs.BOM_UTF8 + text.lstrip("\ufeff").encode("utf-8")


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for an HTML body."""
    encoding, text = html_to_unicode(content_type, body)
    if encoding not in {"utf-8", "utf8"} and not body.isascii():
        try:  # UTF-8 bytes declared windows-1252 or gb2312 (a page saved again as UTF-8):
            return body.decode("utf-8"), "utf-8"  # valid UTF-8 is no accident in such text
        except UnicodeDecodeError:
            pass
    if encoding in {"utf-8", "utf8"} and text.count("\ufffd") > len(text) * _BAD_ENCODING_SHARE:
        try:
            return body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return text, encoding


_TOKEN_NAMES = frozenset({"csrf-token", "_token", "csrf_token", "csrfmiddlewaretoken",
                          "authenticity_token", "xsrf-token"})


class Document:
    """A decoded, parsed page with cached views of its metadata."""

    def __init__(self, body: bytes, url: str, content_type: str | None = None):
        self.url = url
        # Control bytes are removed before decoding: bytes.translate is a memory pass,
        # a regex over the decoded text cost a third of the parse. Only ASCII-compatible
        # bytes reach here (narrow() has made UTF-16/32 pages UTF-8).
        text, self.encoding = decode(body.translate(None, CONTROL_BYTES), content_type)
        text = _XML_DECL.sub("", text, count=1)
        if not text or text.isspace():
            raise EmptyDocument("empty document")
        self._text = text
        self.root = self.reparse()

    def reparse(self):
        """Parse the page again (a fresh tree for a second reading) and return the root."""
        try:
            root = etree.fromstring(self._text, _PARSER)
        except (etree.ParserError, ValueError) as exc:
            raise EmptyDocument(f"unparseable document: {exc}") from exc
        if root is None:
            raise EmptyDocument("unparseable document: no elements")
        self.root = root
        return root

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
    def tokens(self) -> frozenset[str]:
        """The page's session tokens (Laravel's CSRF token in ``<meta name="csrf-token">``
        and ``<input name="_token">``): archive material, never article text."""
        values = [v for k, vs in self.meta.items() if k in _TOKEN_NAMES for v in vs]
        values += [el.get("value") or "" for el in self.root.iter("input")
                   if (el.get("name") or "").lower() in _TOKEN_NAMES]
        return frozenset(v.strip() for v in values if len(v.strip()) >= 16)

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
