"""Kill a crawl with SIGKILL at several points, resume it each time: every article exactly
once, the state store agreeing with the JSONL, the WARC valid."""

import json
import signal
import sqlite3
import subprocess
import sys
import time

from conftest import FAST, SITE_ARTICLES, prakata


def start(mirror, out, *extra):
    channel = mirror.channel_origin.split("://", 1)[1]
    slow = [a for a in FAST if a not in {"DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=16"}]
    slow = [a for i, a in enumerate(slow) if not (a == "-s" and i + 1 < len(slow)
                                                  and slow[i + 1] == "-s")]
    return subprocess.Popen(
        [sys.executable, "-m", "prakata_crawler.cli", "crawl", "--site", mirror.site_origin,
         "--channel-host", channel, "--out", str(out), *slow, "-s", "DOWNLOAD_DELAY=0.03",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def lines(out):
    files = list((out / "items").glob("*.jsonl"))
    return files[0].read_text().count("\n") if files else 0


def test_killed_and_resumed_three_times_loses_and_repeats_nothing(mirror, tmp_path):
    proc = start(mirror, tmp_path)
    for kill_after in (3, 8, 14):  # items out when the kill comes
        deadline = time.monotonic() + 60
        while lines(tmp_path) < kill_after and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert prakata("verify", "--out", str(tmp_path), "--repair").returncode == 0
        proc = start(mirror, tmp_path, "--resume")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    files = list((tmp_path / "items").glob("*.jsonl"))
    assert len(files) == 1  # one run, resumed
    items = [json.loads(line) for line in files[0].read_text().splitlines()]
    keys = [i.get("canonical_url") or i["channel_id"] for i in items]
    assert len(keys) == len(set(keys)), "an item was emitted twice"
    assert sum(i["type"] == "article" for i in items) == SITE_ARTICLES
    assert sum(i["type"] == "whatsapp_channel" for i in items) == 3
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        stored = {row[0] for row in db.execute("SELECT key FROM items")}
        assert not list(db.execute("SELECT url FROM pending"))
    assert stored == set(keys)
    assert prakata("verify", "--out", str(tmp_path)).returncode == 0


def test_ctrl_c_stops_cleanly_and_resume_finishes(mirror, tmp_path):
    proc = start(mirror, tmp_path)
    deadline = time.monotonic() + 60
    while lines(tmp_path) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    _, err = proc.communicate(timeout=120)
    report = json.loads(next((tmp_path / "runs").glob("*.json")).read_text())
    assert report["finish_reason"] == "shutdown", err[-2000:]
    assert not list((tmp_path / "warc").glob("*.open"))  # the WARC file was closed
    assert prakata("verify", "--out", str(tmp_path)).returncode == 0
    proc = start(mirror, tmp_path, "--resume")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-2000:]
    items = [json.loads(line) for line in
             next((tmp_path / "items").glob("*.jsonl")).read_text().splitlines()]
    keys = [i.get("canonical_url") or i["channel_id"] for i in items]
    assert len(keys) == len(set(keys))
    assert sum(i["type"] == "article" for i in items) == SITE_ARTICLES
