"""Deploy to a real Scrapyd on 127.0.0.1 and schedule a crawl of the mirror through its API."""

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import SITE_ARTICLES

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port: int, endpoint: str, fields: dict | None = None, egg: bytes | None = None):
    url = f"http://127.0.0.1:{port}/{endpoint}"
    if fields is None:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())
    if egg is None:
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        request = urllib.request.Request(url, data=data)
    else:  # multipart, as scrapyd-deploy sends it
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                 .encode() for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; '
                     f'filename="project.egg"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + egg + b"\r\n")
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            url, data=data, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {tmp_path / 'eggs'}\nlogs_dir = {tmp_path / 'logs'}\n"
        f"dbs_dir = {tmp_path / 'dbs'}\nitems_dir =\nmax_proc = 2\npoll_interval = 0.5\n")
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            call(port, "daemonstatus.json")
            break
        except OSError:
            assert process.poll() is None, "scrapyd exited"
            time.sleep(0.3)
    yield port, tmp_path
    process.terminate()
    process.wait(timeout=20)


def test_deploy_and_schedule_through_scrapyd(scrapyd, mirror):
    port, tmp_path = scrapyd
    egg = tmp_path / "prakata.egg"
    build = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=REPO,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    added = call(port, "addversion.json", {"project": "prakata_crawler", "version": "1"},
                 egg=egg.read_bytes())
    assert added["status"] == "ok" and added["spiders"] == 1, added
    out = tmp_path / "archive"
    channel = mirror.channel_origin.split("://", 1)[1]
    job = call(port, "schedule.json", {
        "project": "prakata_crawler", "spider": "prakata", "site": mirror.site_origin,
        "channel_hosts": channel,
        "setting": [f"PRAKATA_OUT={out}", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0",
                    "CONCURRENT_REQUESTS_PER_DOMAIN=16"]})
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        jobs = call(port, "listjobs.json?project=prakata_crawler")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        time.sleep(1)
    else:
        pytest.fail("the Scrapyd job did not finish")
    report = json.loads(next((out / "runs").glob("*.json")).read_text())
    assert report["status"] == "ok" and report["articles"] == SITE_ARTICLES
    assert report["channels"] == 3
    items = [json.loads(line) for f in (out / "items").glob("*.jsonl")
             for line in f.read_text().splitlines()]
    assert len(items) == SITE_ARTICLES + 3
    assert list((out / "warc").glob("*.warc.gz")) and list((out / "indexes").glob("*.cdxj"))
