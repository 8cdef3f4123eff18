"""The item records and their published JSON Schema.

Field names are an interface (other tools read the JSONL), so they are declared once here;
``json_schema()`` derives the schema from these dataclasses and ``schema/item.schema.json``
is its published copy (a test keeps the two equal).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources

SCHEMA_ID = "https://prakata-crawler.invalid/schema/item.schema.json"
ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$"
ANY_ISO_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$"


class Image(typing.TypedDict):
    url: str
    caption: str | None
    credit: str | None  # the photo credit printed with the caption ("Foto: Ist"), apart
    archived: bool  # the image's bytes are in the archive (a page requisite of this page)
    payload_digest: str | None  # their WARC-Payload-Digest, to find them in the CDXJ index


SHA256 = {"pattern": r"^[0-9a-f]{64}$"}
CRAWLED_AT = {"pattern": ANY_ISO_DATETIME}
VERSION = {"minimum": 1, "description": "1, or one more than the archived version it replaces"}
ARCHIVED = {"description": "image_url's bytes are in the archive (a page requisite)"}
DIGEST = {"pattern": r"^sha1:[A-Z2-7]{32}$",
          "description": "WARC-Payload-Digest of image_url's bytes in the archive"}
PAGES = {"minItems": 1, "description": "the archived pages the body was read from, in order: "
         "the article's URL, then a multi-page article's later pages (or only its show-all "
         "view)"}
PREVIOUS = {**SHA256,
            "description": "fingerprint of the version this one replaces (items.fingerprint)"}


class _Item:
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Article(_Item):
    """One news article as a reader reads it."""

    type: typing.Literal["article"] = field(init=False, default="article")
    url: str
    canonical_url: str
    headline: str
    caption: str | None
    body: str
    byline: str | None
    authors: list[str]
    date_published: str | None = field(metadata={"pattern": ISO_DATETIME})
    date_modified: str | None = field(metadata={"pattern": ISO_DATETIME})
    section: str | None
    tags: list[str]
    description: str | None
    image_url: str | None
    image_archived: bool = field(metadata=ARCHIVED)
    image_payload_digest: str | None = field(metadata=DIGEST)
    images: list[Image]
    language: str | None
    whatsapp_channels: list[str]
    related_urls: list[str]
    pages: list[str] = field(metadata=PAGES)
    word_count: int
    content_sha256: str = field(metadata=SHA256)
    crawled_at: str = field(metadata=CRAWLED_AT)
    version: int = field(default=1, metadata=VERSION)
    previous_sha256: str | None = field(default=None, metadata=PREVIOUS)


@dataclass(frozen=True)
class WhatsAppChannel(_Item):
    """A public WhatsApp channel page linked from articles."""

    type: typing.Literal["whatsapp_channel"] = field(init=False, default="whatsapp_channel")
    url: str
    channel_id: str = field(metadata={"pattern": r"^[A-Za-z0-9]{20,32}$"})
    name: str
    description: str | None
    followers: int
    followers_text: str
    image_url: str | None
    image_archived: bool = field(metadata=ARCHIVED)
    image_payload_digest: str | None = field(metadata=DIGEST)
    verified: bool
    crawled_at: str = field(metadata=CRAWLED_AT)
    version: int = field(default=1, metadata=VERSION)
    previous_sha256: str | None = field(default=None, metadata=PREVIOUS)


@dataclass(frozen=True)
class Rejected(_Item):
    """A page that gave no item, and why: counted and reported, never silently lost."""

    type: typing.Literal["rejected"] = field(init=False, default="rejected")
    url: str
    reason: str
    crawled_at: str = field(metadata=CRAWLED_AT)


ITEM_CLASSES = (Article, WhatsAppChannel, Rejected)
# Not content: where and when it was fetched (its pages' URLs too), its version bookkeeping,
# what the archive holds of its images, and WhatsApp's signed avatar URLs, which change on
# every request.
_NOT_CONTENT = {"url", "crawled_at", "version", "previous_sha256", "image_archived",
                "image_payload_digest", "pages"}
ARCHIVE_FIELDS = ("archived", "payload_digest")  # of an images[] entry


def item_key(item: dict) -> str:
    """What identifies an item across runs: canonical URL, or channel ID."""
    return item.get("canonical_url") or item.get("channel_id") or item["url"]


def fingerprint(item: dict) -> str:
    """A hash of the item's content, to tell a changed article from an unchanged one."""
    ignored = _NOT_CONTENT | ({"image_url"} if item["type"] == "whatsapp_channel" else set())
    content = {k: v for k, v in item.items() if k not in ignored}
    if "images" in content:
        content["images"] = [{k: v for k, v in image.items() if k not in ARCHIVE_FIELDS}
                             for image in content["images"]]
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def _type_schema(tp) -> dict:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return {"const": args[0]}
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(a) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"anyOf": options}
        return {**schema, "type": [schema["type"], "null"]} if "type" in schema else schema
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0])}
    if typing.is_typeddict(tp):
        hints = typing.get_type_hints(tp)
        return {"type": "object", "required": list(hints), "additionalProperties": False,
                "properties": {k: _type_schema(v) for k, v in hints.items()}}
    return {"type": {str: "string", int: "integer", bool: "boolean"}[tp]}


def _class_schema(cls) -> dict:
    hints = typing.get_type_hints(cls)
    properties = {}
    for f in dataclasses.fields(cls):
        properties[f.name] = {**_type_schema(hints[f.name]), **f.metadata}
    return {"type": "object", "title": cls.__name__, "description": cls.__doc__,
            "required": list(properties), "additionalProperties": False,
            "properties": properties}


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) every emitted item validates against."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "prakata-crawler item",
        "oneOf": [_class_schema(cls) for cls in ITEM_CLASSES],
    }


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    text = resources.files("prakata_crawler").joinpath("schema/item.schema.json").read_text()
    return Draft202012Validator(json.loads(text))


def validation_errors(item: dict) -> list[str]:
    """Schema violations of ``item`` (empty when valid), as readable messages."""
    validator = _validator()
    return [f"{'/'.join(map(str, e.absolute_path)) or '<item>'}: {e.message}"
            for e in validator.iter_errors(item)]


# Where the WARC capture leaves the moment of the exchange, so live extraction and
# re-extraction from the archive resolve relative dates against the same clock.
FETCHED_AT_KEY = "prakata_fetched_at"


@dataclass
class Page:
    """A fetched page on its way from the spider to extraction (never exported as is)."""

    url: str
    status: int
    body: bytes
    content_type: str | None
    fetched_at: datetime
    kind: str
    requisites: list[tuple[str, str]] = field(default_factory=list)  # (URL, kind) it loads
    # A multi-page article's later pages in order, or its show-all view: one item from all
    parts: list[Page] = field(default_factory=list)
    parts_problem: str | None = None  # a later page that could not be fetched: no item
    # The request's meta: where downloader components and pipelines leave what they learned
    # of this exchange (its WARC record, its requisites' outcomes) for the ones after them.
    meta: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_response(cls, response, kind: str,
                      requisites: list[tuple[str, str]] | None = None) -> Page:
        content_type = response.headers.get(b"Content-Type")
        fetched_at = response.meta.get(FETCHED_AT_KEY) or datetime.now(timezone.utc)
        return cls(url=response.url, status=response.status, body=response.body,
                   content_type=content_type.decode("latin-1") if content_type else None,
                   fetched_at=fetched_at, kind=kind, requisites=requisites or [],
                   meta=response.meta)


def mark_archived(item: dict, digest_of) -> dict:
    """``item`` with its images' archive fields filled in: ``digest_of(url)`` is the payload
    digest of the archive's copy of that image, or None when the archive holds none."""
    if item.get("type") == "rejected":
        return item
    images = []
    for image in item.get("images", ()):
        digest = digest_of(image["url"])
        images.append({**image, "archived": digest is not None, "payload_digest": digest})
    digest = digest_of(item["image_url"]) if item.get("image_url") else None
    item = {**item, "image_archived": digest is not None, "image_payload_digest": digest}
    if "images" in item:
        item["images"] = images
    return item
