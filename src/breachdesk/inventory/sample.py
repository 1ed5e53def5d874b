"""Samples of a table's columns as Arrow text, and masking of values for display.

Every value is cut to ``VALUE_CAP`` characters before any validator sees it (a 10 MB cell
costs no more than a short one) and never leaves the scan unmasked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

VALUE_CAP = 512
"""Characters of a value kept for classification; longer values are cut."""

DEFAULT_SAMPLE = 1000
MAX_CELLS = 1_000_000
"""Cells sampled per table at most: a 2,000-column table gets fewer rows, not more memory."""


@dataclass(frozen=True)
class ColumnSample:
    """One column's sampled values as text (nulls kept, so rows line up across columns)."""

    name: str
    declared_type: str
    values: pa.Array
    primary_key: bool = False


@dataclass(frozen=True)
class TableSample:
    """The first rows of one table or file, and what is known of its size."""

    source: str
    table: str
    kind: str
    row_count: int | None
    row_count_exact: bool
    columns: tuple[ColumnSample, ...]
    notes: tuple[str, ...] = ()

    @property
    def sampled_rows(self) -> int:
        return len(self.columns[0].values) if self.columns else 0


def rows_for(columns: int, sample: int) -> int:
    """Rows to sample for a table of ``columns`` columns, keeping the cell budget."""
    if columns <= 0:
        return sample
    return max(1, min(sample, max(100, MAX_CELLS // columns)))


def text_column(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``values`` as a capped, stripped string array, whatever their Arrow type."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = _to_string(values)
    if pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    capped = pc.utf8_slice_codeunits(values, 0, VALUE_CAP)
    return pc.utf8_trim_whitespace(capped)


def _to_string(values: pa.Array) -> pa.Array:
    if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
        try:
            return values.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # Not UTF-8: decode what there is; the sample is small.
            return pa.array(
                [
                    None if v is None else v[: VALUE_CAP * 4].decode("utf-8", "replace")
                    for v in values.to_pylist()
                ],
                type=pa.string(),
            )
    try:
        return values.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return python_text(values.to_pylist())


def python_text(values: Sequence[Any]) -> pa.Array:
    """Python values (from a database driver or JSON) as a string array."""
    return pa.array([_as_text(v) for v in values], type=pa.string())


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value[:VALUE_CAP]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return None if math.isnan(value) else repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value[: VALUE_CAP * 4]).decode("utf-8", "replace")
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        try:
            return json.dumps(value, default=str, ensure_ascii=False)[:VALUE_CAP]
        except (TypeError, ValueError, RecursionError):
            return None
    return str(value)[:VALUE_CAP]


_MASK = "•"


def mask_value(value: str) -> str:
    """A display form of ``value`` that shows its shape but not its content.

    Emails keep the first letter of each part and the top-level domain; digit strings keep
    their last two digits (card numbers their last four, as PCI DSS truncation allows);
    anything else keeps its first character. The result never equals the input.
    """
    value = value[:64]
    if not value:
        return _MASK
    if "@" in value:
        local, _, domain = value.rpartition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        out = f"{local[:1]}{_MASK * 3}@{domain[:1]}{_MASK * 3}" + (f".{tld}" if tld else "")
    else:
        digits = sum(ch.isdigit() for ch in value)
        if digits >= 12 and digits >= len(value) - 4:
            out = _MASK * 4 + " " + "".join(ch for ch in value if ch.isdigit())[-4:]
        elif digits == len(value):
            # Short codes (CVV, PIN) show nothing; longer numbers their last two digits.
            out = _MASK * len(value) if digits <= 4 else _MASK * (len(value) - 2) + value[-2:]
        else:
            out = value[:1] + _MASK * max(2, min(len(value) - 1, 12))
    if out == value:
        out = _MASK * (len(value) + 1)
    return out
