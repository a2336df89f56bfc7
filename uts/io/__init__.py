"""Plain-text I/O of curated data: TSV tables, SSSOM mapping tables and atomic writes. Knows nothing of UTS."""
