"""Matching machinery shared by the mappings suggester and the resolver: fuzzy and embedding matchers."""
