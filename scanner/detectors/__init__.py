"""Chunk -> candidates: the rulebook, the keyword prefilter, and every detector. Pure: no I/O."""
