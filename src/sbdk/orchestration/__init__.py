"""Runs as a graph of steps (an orchestrator's DAG: wait for data, load, build, test,
record), a sensor over the landing area, the run history."""
