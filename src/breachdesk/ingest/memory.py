"""Keep freed memory for reuse during an ingest instead of handing it back to the kernel.

Each block allocates and frees tens of megabytes. By default glibc maps allocations this
large afresh every time and unmaps them when freed, so every block pays page faults for
memory it just released: measured here, that was 4-6 CPU seconds of kernel time per GB of
log, as much as the parsing itself. Raising glibc's mmap and trim thresholds, and letting
Arrow allocate through the same allocator, turns those faults into plain reuse. The process
keeps its peak (a few blocks' worth) until it exits.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import pyarrow as pa

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_done = False


def keep_freed_memory() -> bool:
    """Apply the tuning once per process; False where it does not apply (not glibc)."""
    global _done
    if _done:
        return True
    _done = True
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # e.g. musl, which has no mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    ok = bool(mallopt(_M_MMAP_THRESHOLD, 1 << 30)) and bool(mallopt(_M_TRIM_THRESHOLD, 1 << 30))
    if ok:
        pa.set_memory_pool(pa.system_memory_pool())
    return ok
