"""Optional allocator tuning for a process that exists to ingest (the ``breachdesk`` CLI).

Each block allocates and frees tens of megabytes. By default glibc maps allocations this
large afresh every time and unmaps them when freed, so every block pays page faults for
memory it just released (measured here: about 1 CPU second per GB of log, 10% of the whole
ingest). Raising glibc's mmap and trim thresholds turns those faults into plain reuse for
what goes through glibc: the blocks read, numpy's arrays, Python's objects.

Arrow keeps its own pool (mimalloc in the wheels). It used to be switched to the system
allocator as well, but Arrow's adapter for that allocator grows a buffer by allocating anew,
copying and freeing (``realloc`` does not keep Arrow's alignment), so every buffer a kernel
grows was copied, and the ingest took twice the page faults of mimalloc, which grows buffers
in place and keeps its pages (2026-11-27, 256 MiB log, two workers, interleaved in one
process: 572 k against 299 k faults per GB, 0.25-0.28 CPU s per GB more).

Both thresholds are process-wide settings, so a library must not change them behind its
host's back: the tuning is off unless asked for (``IngestOptions(tune_memory=True)``, which
the CLI sets: that process is ours and ends after the run). It is scoped to the run: on the
way out glibc's thresholds are set back to their default values and the memory kept is
handed back (``malloc_trim``). What cannot be undone is documented: glibc adjusts its mmap
threshold by itself until a program sets it, and after the run it stays at the default value
instead of adapting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_KEEP = 1 << 30
_GLIBC_DEFAULT = 128 << 10
"""glibc's default for both thresholds (M_MMAP_THRESHOLD's starting value, M_TRIM_THRESHOLD)."""

_lock = threading.Lock()
_depth = 0


def _libc() -> Any | None:
    """glibc's functions, or None where they do not exist (not Linux, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None  # e.g. musl, which has no mallopt
    return libc


@contextmanager
def keep_freed_memory(enabled: bool = True) -> Iterator[bool]:
    """Within the block, keep freed memory for reuse; yields whether the tuning applies.

    Nested or concurrent uses share one tuning, undone when the last one leaves.
    """
    global _depth
    libc = _libc() if enabled else None
    if libc is None:
        yield False
        return
    with _lock:
        _depth += 1
        if _depth == 1:
            libc.mallopt(_M_MMAP_THRESHOLD, _KEEP)
            libc.mallopt(_M_TRIM_THRESHOLD, _KEEP)
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT)
                libc.mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT)
                libc.malloc_trim(0)
