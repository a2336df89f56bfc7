"""Mapping tables between UTS and other vocabularies, in SSSOM TSV."""
