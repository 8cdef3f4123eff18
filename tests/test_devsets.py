"""Real pages nobody here wrote (fixtures/devsets: copies from the public corpora the quality
benchmark measures on), one per failure class issue 10 fixed; fixtures/devsets/README.md
says which page guards which class."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.quality import bag_f1, collapse, load_readability, load_trafilatura_eval
from prakata_crawler import extract

ROOT = Path(__file__).resolve().parents[1]
DEVSETS = ROOT / "fixtures" / "devsets"
READABILITY = {page.name: page for page in load_readability(DEVSETS / "readability")}
CHUNKED = {page.name: page for page in load_trafilatura_eval(DEVSETS / "trafilatura-eval")}

# Body bag-of-words F1 against readability's reviewed output: the floor each page keeps.
# qq is Chinese: \w+ tokens are whole runs of characters, so one missing line weighs a lot.
MIN_F1 = {"ebb-org": 0.95, "yahoo-3": 0.95, "qq": 0.8, "remove-aria-hidden": 0.99,
          "invalid-attributes": 0.99, "nytimes-2": 0.97}


def test_every_copied_page_has_a_floor():
    assert set(READABILITY) == set(MIN_F1)
    assert len(CHUNKED) == 8


@pytest.mark.parametrize("name", sorted(MIN_F1))
def test_readability_page_body(name):
    page = READABILITY[name]
    item = extract(page.html, page.url)
    assert item["type"] == "article", item.get("reason")
    assert bag_f1(item["body"], page.expected_text) >= MIN_F1[name]


def test_aria_hidden_text_is_not_body():
    page = READABILITY["remove-aria-hidden"]
    assert "WRONG" not in extract(page.html, page.url)["body"]


def test_declared_gb2312_but_utf8_bytes_read_as_utf8():
    page = READABILITY["qq"]
    item = extract(page.html, page.url)
    assert item["headline"] == "DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶"
    assert "人工智能" in item["body"]


@pytest.mark.parametrize("name", sorted(CHUNKED))
def test_chunks_of_the_main_text_are_in_the_body(name):
    page = CHUNKED[name]
    item = extract(page.html, page.url)
    assert item["type"] == "article", item.get("reason")
    body = collapse(item["body"])
    missing = [chunk for chunk in page.with_chunks if collapse(chunk) not in body]
    assert not missing


def test_related_label_after_the_last_sentence_is_not_body():
    page = CHUNKED["liquimoly-hbl.de-cheftrainer.html"]
    body = extract(page.html, page.url)["body"]
    assert "Verwandte Themen" in page.without_chunks and "Verwandte Themen" not in body


def test_quality_benchmark_runs_on_the_copies(tmp_path):
    """CI's sample of `./run bench quality`: structure only, no thresholds."""
    out = tmp_path / "quality.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "quality", "--devsets", str(DEVSETS),
         "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "readability (6 pages)" in proc.stdout and "trafilatura-eval (8 pages)" in proc.stdout
    result = json.loads(out.read_text())
    corpora = result["corpora"]
    for name in ("prakata", "trafilatura"):
        assert 0 <= corpora["readability"][name]["body_f1"] <= 1
        assert 0 <= corpora["trafilatura-eval"][name]["f1"] <= 1
        assert corpora["trafilatura-eval"][name]["docs_per_s"] > 0
    assert result["machine"]["cores"]
