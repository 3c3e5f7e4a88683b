"""Extract, validate and load quarterly extracts."""
