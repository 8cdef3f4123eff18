"""Every fixture page against its hand-checked expected item."""

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

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
    item = extract((FIXTURES / case["file"]).read_bytes(), case["url"], fetched_at=fetched_at)
    assert not validation_errors(item), validation_errors(item)
    expected = case["expected"]
    mismatched = {k: {"got": item.get(k), "want": v} for k, v in expected.items() if item.get(k) != v}
    assert not mismatched, json.dumps(mismatched, ensure_ascii=False, indent=1)
    if item["type"] == "article":
        assert item["word_count"] == len(item["body"].split())
        assert item["content_sha256"] == hashlib.sha256(item["body"].encode()).hexdigest()
