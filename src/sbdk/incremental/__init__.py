"""Incremental mode: land files day by day in Hive partitions, then find what is new after
each stream's cursor and delete+insert it into the processed models."""
