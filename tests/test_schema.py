import json
from importlib import resources

from prakata_crawler.items import json_schema, validation_errors


def test_published_schema_matches_the_item_classes():
    published = json.loads(resources.files("prakata_crawler").joinpath("schema/item.schema.json").read_text())
    assert published == json_schema()


def test_schema_rejects_malformed_items():
    assert validation_errors({"type": "article", "url": "x"})
    assert validation_errors({"type": "rejected", "url": "x", "reason": "r", "crawled_at": "yesterday"})
    assert not validation_errors({"type": "rejected", "url": "x", "reason": "r",
                                  "crawled_at": "2025-12-02T09:00:00+07:00"})
