"""Random draws keyed by a record's id: a hash of (seed, purpose, key), not a stream of draws.

A record's draw does not depend on which other records are drawn with it or in what order,
so a value can be recomputed for any subset of records: the landing history replays one
order's changes, and a corrected order gets its line items again, without the whole world.
"""

from __future__ import annotations

import zlib

import numpy as np

_MASK64 = (1 << 64) - 1


def uniform(seed: int, purpose: str, keys: np.ndarray) -> np.ndarray:
    """A uniform draw in [0, 1) per key: a hash of the key, the seed and the purpose."""
    salt = _mix((seed << 32) ^ zlib.crc32(purpose.encode()))
    hashed = _splitmix64(keys.astype(np.uint64) ^ np.uint64(salt))
    return (hashed >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def categorical(draw: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Indices into `probabilities`, one per uniform draw in [0, 1)."""
    cumulative = np.cumsum(probabilities)
    return np.minimum(np.searchsorted(cumulative, draw, side="right"), len(probabilities) - 1)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    # Unsigned arrays wrap around on overflow, which is what the mixer relies on.
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _mix(value: int) -> int:
    """splitmix64 of one Python int (the salt), without numpy's scalar overflow warnings."""
    x = (value + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)
