"""prakata-crawler."""
