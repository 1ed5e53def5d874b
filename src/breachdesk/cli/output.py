"""Printing for the CLI: JSON for machines, Rich for people, and terminal-safe text.

Anything that came from logs, emails or databases may carry ANSI escapes or Rich markup;
``safe`` neutralises both before it reaches a terminal.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: object, *, limit: int = 200) -> str:
    """``text`` with control characters shown as ``\\xNN``, Rich markup escaped, and cut."""
    value = str(text)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    value = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return escape(value)


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON on stdout (non-ASCII escaped: safe for any terminal)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def error_line(message: str) -> None:
    """One line on stderr, control characters neutralised, no markup interpreted."""
    flat = " ".join(str(message).split())
    err_console.print(f"breachdesk: error: {safe(flat, limit=2000)}", soft_wrap=True)
