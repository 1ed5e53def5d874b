"""Independent, reproducible random streams for each part of the synthetic retailer.

Every part draws from its own stream, named by labels, so adding draws to one part never
shifts what another part generates for the same seed.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def stream_seed(seed: int, *labels: object) -> int:
    """A 64-bit seed derived from the run's seed and the labels (stable across processes)."""
    text = ":".join([str(seed), *(str(label) for label in labels)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def py_stream(seed: int, *labels: object) -> random.Random:
    """A ``random.Random`` for per-event choices (fast for one value at a time)."""
    return random.Random(stream_seed(seed, *labels))


def np_stream(seed: int, *labels: object) -> np.random.Generator:
    """A numpy generator for vectorised draws over whole batches of rows."""
    return np.random.default_rng(stream_seed(seed, *labels))
