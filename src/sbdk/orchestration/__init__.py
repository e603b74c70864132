"""Runs as a graph of steps (seed 002's DAG), a sensor over the landing area, run history."""
