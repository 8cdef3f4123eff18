"""Feed storage that hands every exported item to the operating system at once.

Scrapy's file storage writes through Python's buffer, so a SIGKILL loses the last items
while the state store already counts them as emitted. Unbuffered, a line is on its way to
disk before the state store hears of it, and ``--resume`` can trust the items file.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage


class UnbufferedFileFeedStorage(FileFeedStorage):
    def open(self, spider):
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        return open(self.path, self.write_mode, buffering=0)  # noqa: SIM115 - closed by store()
