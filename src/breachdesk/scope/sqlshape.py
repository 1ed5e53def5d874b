"""Statement shapes: the same statement with other literals is parsed and checked once.

Bulk extraction logs thousands of statements that differ only in their numbers and strings
(``WHERE id = 1``, ``WHERE id = 2``…). Literals are masked with a regular expression into
numbered placeholders (``:bdp1``…); statements whose text could fool that expression
(quotes inside identifiers, escapes, dollar quoting, comments, bind parameters, unbalanced
quotes) are not masked and stand as their own shape, parsed in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from breachdesk.scope.sqlcheck import MASK_PREFIX

_UNMASKABLE = re.compile(r"""[\\$?"`#]|--|/\*|(?<!:):(?!:)\w""")
_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b")


@dataclass(frozen=True)
class Literal:
    """A masked literal: its text as SQL would read it, and whether it was quoted."""

    value: str
    is_string: bool

    def as_int(self) -> int | None:
        """The literal as an integer, when it is an unquoted whole number."""
        if self.is_string or not self.value.isdigit():
            return None
        return int(self.value)


def placeholder(index: int) -> str:
    return f"{MASK_PREFIX}{index}"


def mask_statement(text: str) -> tuple[str, tuple[Literal, ...]]:
    """(shape, literals): ``text`` with each literal replaced by ``:bdpN`` (N from 1) and
    the whitespace between tokens collapsed, or ``text`` itself and no literals when it
    cannot be masked safely."""
    literals: list[Literal] = []
    between: list[str] = []
    position = 0
    for match in _LITERAL.finditer(text):
        token = match.group(0)
        start = match.start()
        if token.startswith("'"):
            # E'…', X'…', N'…': a prefixed literal the expression does not understand.
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                return text, ()
            literals.append(Literal(token[1:-1].replace("''", "'"), True))
        else:
            literals.append(Literal(token, False))
        between.append(text[position:start])
        position = match.end()
    between.append(text[position:])
    outside = " ".join(between)
    # An unbalanced quote, or syntax the expression cannot see through: parse it whole.
    if "'" in outside or _UNMASKABLE.search(outside):
        return text, ()
    parts = [_collapse(between[0])]
    for index, gap in enumerate(between[1:], 1):
        parts.append(f":{placeholder(index)}")
        parts.append(_collapse(gap))
    return "".join(parts).strip(), tuple(literals)


def _collapse(gap: str) -> str:
    """Whitespace runs as one space, keeping whether the gap started or ended with one."""
    if not gap:
        return ""
    inner = " ".join(gap.split())
    lead = " " if gap[0].isspace() else ""
    tail = " " if gap[-1].isspace() and inner else ""
    return lead + inner + tail if inner else " "
