"""The enumeration pre-filter keeps every reportable run whole (it is exact, not a heuristic)."""

from __future__ import annotations

from datetime import datetime

import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.detect.enumeration import near_dense_reads

_CON = ibis.duckdb.connect()
_WEEK = datetime(2026, 10, 5)


def _runs(ids: set[int], max_gap: int, min_run: int) -> set[tuple[int, ...]]:
    """Maximal chains of ids with gaps of at most ``max_gap``, ``min_run`` long or more."""
    runs: list[list[int]] = []
    for value in sorted(ids):
        if runs and value - runs[-1][-1] <= max_gap:
            runs[-1].append(value)
        else:
            runs.append([value])
    return {tuple(run) for run in runs if len(run) >= min_run}


def _reads(rows: list[tuple[str, str, int]]) -> ibis.Table:
    """Reads in one week as (principal, table, object id)."""
    return ibis.memtable(
        {
            "principal": [row[0] for row in rows],
            "table_name": [row[1] for row in rows],
            "week": [_WEEK] * len(rows),
            "time": [_WEEK] * len(rows),
            "object_num": [row[2] for row in rows],
        },
        schema={
            "principal": "string",
            "table_name": "string",
            "week": "timestamp",
            "time": "timestamp",
            "object_num": "int64",
        },
    )


def _kept(ids: list[int], max_gap: int, min_run: int) -> set[int]:
    reads = _reads([("agent:a", "customers", value) for value in ids])
    kept = _CON.to_pyarrow(near_dense_reads(reads, min_run, max_gap, ("customers",)))
    return set(kept.column("object_num").to_pylist())


# Walks: a start and gaps (folded into 1..max_gap by the test), among random lookups.
_walk = st.tuples(st.integers(0, 3000), st.lists(st.integers(1, 60), min_size=1, max_size=120))


@settings(max_examples=120, deadline=None)
@given(
    walks=st.lists(_walk, max_size=4),
    lookups=st.lists(st.integers(0, 5000), max_size=300),
    max_gap=st.integers(1, 5),
    min_run=st.integers(2, 40),
)
def test_prefilter_keeps_every_reportable_run_whole(
    walks: list[tuple[int, list[int]]], lookups: list[int], max_gap: int, min_run: int
) -> None:
    ids = list(lookups)
    for start, gaps in walks:
        value = start
        ids.append(value)
        for gap in gaps:
            value += 1 + (gap - 1) % max_gap
            ids.append(value)
    if not ids:
        return
    kept = _kept(ids, max_gap, min_run)
    assert kept <= set(ids)
    expected = _runs(set(ids), max_gap, min_run)
    assert _runs(kept, max_gap, min_run) == expected
    for run in expected:
        assert set(run) <= kept


def test_prefilter_keeps_a_short_run_split_by_a_bucket_edge() -> None:
    # Buckets are 64 ids wide for max_gap 2: 12 ids below 64, 13 from 64 on.
    walk = list(range(52, 64)) + list(range(64, 77))
    assert len(walk) == 25
    assert _kept([*walk, 1000, 5000], max_gap=2, min_run=25) == set(walk)


def test_prefilter_drops_random_lookups() -> None:
    lookups = list(range(0, 100_000, 997))
    walk = list(range(50_000, 50_060))
    kept = _kept(lookups + walk, max_gap=2, min_run=25)
    assert set(walk) <= kept
    assert len(kept - set(walk)) <= 2


def test_prefilter_counts_each_principal_and_table_apart() -> None:
    # A walks ids 1000..1059 of customers; B and A's orders read a few ids among them.
    walk = list(range(1000, 1060))
    rows = [("agent:a", "customers", value) for value in walk]
    rows += [("agent:b", "customers", value) for value in (1003, 1020, 1041)]
    rows += [("agent:a", "orders", value) for value in (1005, 1030)]
    reads = _reads(rows)
    kept = _CON.to_pyarrow(near_dense_reads(reads, 25, 2, ("customers", "orders")))
    assert sorted(
        zip(kept["principal"].to_pylist(), kept["table_name"].to_pylist(), strict=True)
    ) == [("agent:a", "customers")] * len(walk)
