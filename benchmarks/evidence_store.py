"""Storing evidence: streamed hash-and-copy against reading the whole file, same process.

Prints one JSON object: file size, seconds and peak Python memory (tracemalloc) of
``add_evidence`` (one pass, 1 MiB chunks) and of the naive baseline (``read_bytes`` then
``sha256`` and ``write_bytes``). Run ``python benchmarks/evidence_store.py [--quick]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
import tracemalloc
from pathlib import Path

from breachdesk.incident import add_evidence, open_incident
from breachdesk.workspace import init_workspace


def _measure(run: object) -> tuple[float, int]:
    assert callable(run)
    tracemalloc.start()
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="64 MiB instead of 512 MiB")
    args = parser.parse_args()
    size = (64 if args.quick else 512) * 2**20
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        source = root / "evidence.bin"
        with source.open("wb") as handle:
            block = hashlib.sha256(b"seed").digest() * (2**20 // 32)
            for _ in range(size // len(block)):
                handle.write(block)
        workspace = init_workspace(root / "ws")
        incident = open_incident(workspace, title="benchmark", actor="bench").id

        def streamed() -> None:
            add_evidence(workspace, incident, source, actor="bench")

        def naive() -> None:
            data = source.read_bytes()
            hashlib.sha256(data).hexdigest()
            (root / "copy.bin").write_bytes(data)

        base_seconds, base_peak = _measure(naive)
        seconds, peak = _measure(streamed)
        workspace.close()
    print(
        json.dumps(
            {
                "bytes": size,
                "streamed_seconds": round(seconds, 3),
                "streamed_peak_bytes": peak,
                "streamed_mb_per_s": round(size / 2**20 / seconds, 1),
                "baseline_read_all_seconds": round(base_seconds, 3),
                "baseline_read_all_peak_bytes": base_peak,
                "peak_ratio": round(peak / base_peak, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
