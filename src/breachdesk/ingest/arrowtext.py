"""Small vectorised string helpers shared by the parsers (regex groups, nulls, literals)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NULL_STRING = pa.scalar(None, pa.string())


def bool_array(mask: np.ndarray) -> pa.BooleanArray:
    """A numpy boolean mask as an Arrow boolean array (packed in one numpy call, where
    ``pa.array`` appends value by value)."""
    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    array: pa.BooleanArray = pa.Array.from_buffers(
        pa.bool_(), len(mask), [None, pa.py_buffer(bits)]
    )
    return array


def groups(values: pa.Array, pattern: str) -> dict[str, pa.Array]:
    """Named groups of ``pattern`` (RE2) for each value; null where the value does not match
    or the group did not take part (RE2 reports those as empty strings)."""
    return match_groups(values, pattern)[0]


def match_groups(values: pa.Array, pattern: str) -> tuple[dict[str, pa.Array], pa.Array]:
    """``groups`` and, as a boolean array (never null), whether each value matched."""
    parts = pc.extract_regex(values, pattern)
    out: dict[str, pa.Array] = {}
    for index in range(parts.type.num_fields):
        name = parts.type.field(index).name
        out[name] = blank_to_null(pc.struct_field(parts, [index]))
    return out, pc.is_valid(parts)


def matched(values: pa.Array, pattern: str) -> pa.Array:
    """Boolean (never null): does each value match ``pattern``."""
    return pc.fill_null(pc.match_substring_regex(values, pattern), False)


def blank_to_null(values: pa.Array) -> pa.Array:
    """Empty strings as null (the values are copied only when there is one)."""
    return _null_where(values, pc.equal(values, ""))


def dash_to_null(values: pa.Array) -> pa.Array:
    """Access logs write ``-`` for "no value"; that and empty strings become null."""
    short = pc.less_equal(pc.binary_length(values), 1)
    return _null_where(values, pc.and_(short, pc.is_in(values, value_set=_NO_VALUE)))


_NO_VALUE = pa.array(["-", ""])


def _null_where(values: pa.Array, mask: pa.Array) -> pa.Array:
    if not pc.any(mask).as_py():
        return values
    return pc.if_else(pc.fill_null(mask, False), NULL_STRING, values)


def to_int(values: pa.Array, kind: pa.DataType) -> pa.Array:
    """Integers from text; null where the text is not a plain decimal that fits."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    try:
        return pc.cast(values, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    digits = 18 if kind == pa.int64() else 9
    ok = matched(values, rf"^-?[0-9]{{1,{digits}}}$")
    return pc.cast(pc.if_else(ok, values, NULL_STRING), kind)


def share(indices: pa.Array, derived: pa.Array, *, compact: bool = True) -> pa.DictionaryArray:
    """Values derived once per distinct entry, spread back over ``indices``.

    A null value becomes a null index (Parquet cannot store a null inside a dictionary).
    With ``compact`` the derived values are deduplicated first (thousands of paths share a
    handful of routes), which keeps the written dictionary small; without it, values that
    stay mostly distinct skip a pointless hash.
    """
    indices = pc.cast(indices, pa.int32())
    if compact:
        encoded = pc.dictionary_encode(derived)
        remapped = pc.take(encoded.indices, indices)
        return pa.DictionaryArray.from_arrays(pc.cast(remapped, pa.int32()), encoded.dictionary)
    if derived.null_count:
        valid = pc.take(pc.is_valid(derived), indices)
        indices = pc.if_else(valid, indices, pa.scalar(None, pa.int32()))
        derived = pc.fill_null(derived, "")
    return pa.DictionaryArray.from_arrays(indices, derived)


def as_of(key: pa.Array, value: pa.Array) -> pa.Array:
    """For each row, the last non-null ``value`` of a row with the same ``key`` at or before
    it (null when there is none): e.g. the user of a connection's latest login."""
    n = len(key)
    if n == 0:
        return value
    order = pc.sort_indices(
        pa.table({"k": key, "i": pa.array(np.arange(n))}),
        sort_keys=[("k", "ascending"), ("i", "ascending")],
    )
    sorted_key = pc.take(key, order)
    sorted_value = pc.take(value, order)
    changed = pc.not_equal(sorted_key.slice(1), sorted_key.slice(0, n - 1))
    group_start = pa.concat_arrays([pa.array([True]), pc.fill_null(changed, True)])
    marker = "\x00"
    seeded = pc.if_else(pc.and_(group_start, pc.is_null(sorted_value)), marker, sorted_value)
    filled = pc.fill_null_forward(seeded)
    filled = pc.if_else(pc.equal(filled, marker), NULL_STRING, filled)
    inverse = np.empty(n, dtype=np.int64)
    inverse[order.to_numpy()] = np.arange(n)
    return pc.take(filled, pa.array(inverse))
