"""WARC archiving: capture, files, CDXJ index, verification. Knows exchanges, not articles."""
