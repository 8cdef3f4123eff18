"""Every fixture page against its hand-checked expected item."""

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import without_archive

from prakata_crawler import extract
from prakata_crawler.items import validation_errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOLDENS = sorted((FIXTURES / "goldens").glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_fixture_world_is_big_enough():
    kinds = [load(p)["expected"]["type"] for p in GOLDENS]
    assert kinds.count("article") >= 30
    assert kinds.count("whatsapp_channel") >= 2


@pytest.mark.parametrize("golden", GOLDENS, ids=[p.stem for p in GOLDENS])
def test_golden(golden):
    case = load(golden)
    fetched_at = datetime.fromisoformat(case["fetched_at"]) if case.get("fetched_at") else None
    pages = [((FIXTURES / page["file"]).read_bytes(), page["url"], None)
             for page in case.get("pages", ())]  # a multi-page article's other pages
    item = extract((FIXTURES / case["file"]).read_bytes(), case["url"], fetched_at=fetched_at,
                   pages=pages)
    assert not validation_errors(item), validation_errors(item)
    expected = case["expected"]
    # extraction alone knows nothing of the archive: the crawl fills these in
    assert item.get("image_archived", False) is False
    assert not any(i["archived"] or i["payload_digest"] for i in item.get("images", []))
    got = without_archive(item)
    mismatched = {k: {"got": got.get(k), "want": v} for k, v in expected.items() if got.get(k) != v}
    assert not mismatched, json.dumps(mismatched, ensure_ascii=False, indent=1)
    if item["type"] == "article":
        assert item["word_count"] == len(item["body"].split())
        assert item["content_sha256"] == hashlib.sha256(item["body"].encode()).hexdigest()
