"""Incremental mode: land files day by day, then process only what is new (seeds 000/001)."""
