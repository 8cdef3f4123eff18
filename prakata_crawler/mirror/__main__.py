"""``python -m prakata_crawler.mirror``: the same as ``prakata mirror``."""

import sys

from .server import main

sys.exit(main())
