"""The mirror in a child process, for tests, benchmarks and ``prakata crawl --mirror``."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .world import DEFAULT_FIXTURES_DIR


def free_ports(count: int = 3) -> list[int]:
    """Ports free right now, for mirrors that must come back on the same ports: an
    archive holds URLs with the port in them, and a re-crawl must see the same URLs."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


class MirrorProcess:
    """A mirror running in a child process; `stop()` or leaving a `with` block ends it."""

    def __init__(self, process: subprocess.Popen[str], site: str, channel: str,
                 channel_assets: str) -> None:
        self.process = process
        self.site = site
        self.channel = channel
        self.channel_assets = channel_assets

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the child (SIGTERM, then kill after `timeout`); safe to call twice."""
        _terminate(self.process, timeout)

    def __enter__(self) -> MirrorProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_mirror_process(
    fixtures_dir: str | os.PathLike[str] | None = None,
    host: str = "127.0.0.1",
    site_port: int = 0,
    channel_port: int = 0,
    *,
    channel_asset_port: int = 0,
    verbose: bool = False,
    stable_tokens: bool = False,
    stderr: int | IO[Any] | None = None,
    timeout: float = 30.0,
    faults: dict[str, Any] | None = None,
) -> MirrorProcess:
    """Start the mirror in a child process and return once it listens.

    A child process, not a thread, because the mirror runs its own Twisted reactor and the
    caller (pytest, a Scrapy crawl) may be running another. `stderr` is passed to Popen
    (default: inherited); `faults` is a fault plan (see prakata_crawler.mirror.faults). Raises
    RuntimeError if the child exits or stays silent for `timeout` seconds.
    """
    command = [
        sys.executable,
        "-m",
        "prakata_crawler.mirror",
        "--fixtures",
        str(Path(fixtures_dir) if fixtures_dir is not None else DEFAULT_FIXTURES_DIR),
        "--host",
        host,
        "--site-port",
        str(site_port),
        "--channel-port",
        str(channel_port),
        "--channel-asset-port",
        str(channel_asset_port),
        "--stop-on-stdin-eof",
    ]
    if verbose:
        command.append("--verbose")
    if stable_tokens:
        command.append("--stable-tokens")
    if faults is not None:
        command += ["--faults", json.dumps(faults)]
    # The child must import this package even when it is not installed in the venv.
    package_parent = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        text=True,
        encoding="utf-8",
    )
    stdout = process.stdout
    assert stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        _terminate(process, timeout=1.0)
        raise RuntimeError(f"mirror did not start listening within {timeout:g}s") from None
    if not line:
        _terminate(process, timeout=10.0)
        raise RuntimeError(
            f"mirror exited with status {process.returncode} before listening (see its stderr)"
        )
    origins = json.loads(line)
    return MirrorProcess(process, origins["site"], origins["channel"], origins["channel_assets"])


def _terminate(process: subprocess.Popen[str], timeout: float) -> None:
    """End a child: SIGTERM, SIGKILL after `timeout`, then close our ends of its pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()

