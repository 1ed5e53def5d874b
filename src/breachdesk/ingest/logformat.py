"""nginx ``log_format`` and Apache ``LogFormat`` strings compiled to a parsing layout.

Every format becomes an anchored RE2 pattern (one named group per variable). Formats made of
space-separated tokens — the common and combined formats and most custom ones — also get a
CSV layout: pyarrow's CSV tokenizer splits those lines several times faster than a regex, and
``access.py`` checks each line it splits that way against the layout, sending any doubtful
line to the regex instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from breachdesk.errors import UserInputError

Dialect = TypingLiteral["nginx", "apache"]

NGINX_COMBINED = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent"'
)
APACHE_COMBINED = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"'

# Variables whose value may hold a space even outside quotes.
_SPACED = {"time_local": 2}


class LogFormatError(UserInputError):
    """A ``log_format`` string that cannot be used (names the offending part)."""


@dataclass(frozen=True)
class Var:
    """A variable of the format, under its nginx name (Apache directives are translated)."""

    name: str
    time_format: str | None = None


@dataclass(frozen=True)
class Text:
    """Literal text of the format."""

    text: str


Item = Var | Text


@dataclass(frozen=True)
class CsvColumn:
    """One column of the CSV split: part or all of a variable, or a literal token."""

    var: Var | None
    quoted: bool
    prefix: str = ""
    suffix: str = ""
    literal: str | None = None
    part: int = 0
    parts: int = 1
    stop: str | None = None
    """The character that ends the variable in the format (the regex stops there too)."""


@dataclass(frozen=True)
class CsvLayout:
    columns: tuple[CsvColumn, ...]

    @property
    def quoted(self) -> int:
        return sum(1 for c in self.columns if c.quoted)

    @property
    def skeleton_bytes(self) -> int:
        """Bytes of a line that are not column values: separators and quotes."""
        return len(self.columns) - 1 + 2 * self.quoted


@dataclass(frozen=True)
class AccessLayout:
    dialect: Dialect
    format: str
    items: tuple[Item, ...]
    pattern: str
    groups: tuple[tuple[str, Var], ...]
    csv: CsvLayout | None

    @property
    def variables(self) -> set[str]:
        return {var.name for _, var in self.groups}


def compile_format(log_format: str | None, dialect: Dialect) -> AccessLayout:
    """The layout of ``log_format`` (the combined format of the dialect when None)."""
    text = log_format if log_format is not None else _default(dialect)
    if not text.strip():
        raise LogFormatError("the log format is empty")
    items = parse_nginx(text) if dialect == "nginx" else parse_apache(text)
    if not any(isinstance(item, Var) for item in items):
        raise LogFormatError(f"the log format {text!r} has no variable")
    pattern, groups = _regex(items, dialect)
    return AccessLayout(dialect, text, tuple(items), pattern, groups, _csv(items))


def _default(dialect: Dialect) -> str:
    return NGINX_COMBINED if dialect == "nginx" else APACHE_COMBINED


_NGINX_VAR = re.compile(r"\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def parse_nginx(text: str) -> list[Item]:
    """``$name`` and ``${name}`` variables; everything else is literal."""
    items: list[Item] = []
    position = 0
    for match in _NGINX_VAR.finditer(text):
        if match.start() > position:
            items.append(Text(text[position : match.start()]))
        items.append(Var(match.group(1) or match.group(2)))
        position = match.end()
    if position < len(text):
        items.append(Text(text[position:]))
    return _merge(items)


_APACHE_DIRECTIVE = re.compile(r"%(?:[!]?[0-9,]+)?[<>]?(?:\{([^}]*)\})?([a-zA-Z%])")
_APACHE_NAMES = {
    "h": "remote_addr",
    "a": "remote_addr",
    "A": "server_addr",
    "l": "remote_ident",
    "u": "remote_user",
    "r": "request",
    "s": "status",
    "b": "body_bytes_sent",
    "B": "body_bytes_sent",
    "O": "bytes_sent",
    "I": "request_length",
    "S": "bytes_transferred",
    "m": "request_method",
    "U": "uri",
    "q": "args",
    "H": "server_protocol",
    "v": "server_name",
    "V": "server_name",
    "p": "server_port",
    "P": "pid",
    "D": "request_time_us",
    "T": "request_time",
    "k": "keepalive_requests",
    "X": "connection_status",
    "L": "log_id",
    "R": "handler",
    "f": "request_filename",
}
_APACHE_HEADER = {"i": "http_", "o": "sent_http_", "e": "env_", "n": "note_", "C": "cookie_"}


def parse_apache(text: str) -> list[Item]:
    """Apache ``LogFormat`` directives (``%h``, ``%>s``, ``%{User-agent}i``, ``%{…}t``…)."""
    items: list[Item] = []
    position = 0
    for match in _APACHE_DIRECTIVE.finditer(text):
        if match.start() > position:
            items.append(Text(text[position : match.start()]))
        position = match.end()
        argument, letter = match.group(1), match.group(2)
        if letter == "%":
            items.append(Text("%"))
        elif letter == "t":
            items.extend(_apache_time(argument))
        elif letter in _APACHE_HEADER:
            if not argument:
                raise LogFormatError(f"%{letter} needs a name in braces, as %{{Name}}{letter}")
            name = re.sub(r"[^a-z0-9]+", "_", argument.lower())
            items.append(Var(_APACHE_HEADER[letter] + name))
        elif letter in _APACHE_NAMES:
            items.append(Var(_APACHE_NAMES[letter]))
        else:
            raise LogFormatError(f"unknown Apache log directive {match.group(0)!r}")
    if position < len(text):
        items.append(Text(text[position:]))
    return _merge(items)


def _apache_time(argument: str | None) -> list[Item]:
    if not argument:
        return [Text("["), Var("time_local"), Text("]")]
    spec = argument
    for prefix in ("begin:", "end:"):
        if spec.startswith(prefix):
            spec = spec[len(prefix) :]
    if spec in ("sec", "msec", "usec"):
        return [Var("msec" if spec == "sec" else f"epoch_{spec}")]
    if spec in ("msec_frac", "usec_frac"):
        return [Var("time_fraction")]
    return [Var("time_custom", time_format=spec)]


def _merge(items: list[Item]) -> list[Item]:
    merged: list[Item] = []
    for item in items:
        if isinstance(item, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + item.text)
        else:
            merged.append(item)
    return merged


def _regex(items: list[Item], dialect: Dialect) -> tuple[str, tuple[tuple[str, Var], ...]]:
    parts = ["^"]
    groups: list[tuple[str, Var]] = []
    for index, item in enumerate(items):
        if isinstance(item, Text):
            parts.append(re.escape(item.text))
            continue
        before = items[index - 1] if index else None
        after = items[index + 1] if index + 1 < len(items) else None
        quoted = (
            isinstance(before, Text)
            and before.text.endswith('"')
            and isinstance(after, Text)
            and after.text.startswith('"')
        )
        if quoted and dialect == "apache":
            value = r'(?:[^"\\]|\\.)*'
        elif item.time_format is not None:
            value = strftime_pattern(item.time_format)
        elif isinstance(after, Text):
            stop = after.text[0]
            if item.name in _SPACED and stop == " ":
                value = r"\S+ \S+"
            else:
                value = "[^" + re.escape(stop) + "]*"
        elif after is None:
            value = ".*"
        else:
            value = ".*?"
        name = f"v{len(groups)}"
        groups.append((name, item))
        parts.append(f"(?P<{name}>{value})")
    parts.append("$")
    return "".join(parts), tuple(groups)


_STRFTIME = {
    "Y": r"\d{4}",
    "y": r"\d{2}",
    "m": r"\d{1,2}",
    "d": r"\d{1,2}",
    "e": r" ?\d{1,2}",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{2}",
    "S": r"\d{2}",
    "j": r"\d{3}",
    "b": r"[A-Za-z]{3}",
    "h": r"[A-Za-z]{3}",
    "B": r"[A-Za-z]+",
    "a": r"[A-Za-z]{3}",
    "A": r"[A-Za-z]+",
    "p": r"[AaPp][Mm]",
    "z": r"[+-]\d{2}:?\d{2}",
    "Z": r"[A-Za-z]+",
    "T": r"\d{2}:\d{2}:\d{2}",
    "F": r"\d{4}-\d{2}-\d{2}",
    "D": r"\d{2}/\d{2}/\d{2}",
    "%": "%",
}


def strftime_pattern(time_format: str) -> str:
    """A regex matching what ``strftime(time_format)`` writes."""
    out: list[str] = []
    index = 0
    while index < len(time_format):
        char = time_format[index]
        if char == "%" and index + 1 < len(time_format):
            code = time_format[index + 1]
            if code not in _STRFTIME:
                raise LogFormatError(f"unsupported time directive %{code} in {time_format!r}")
            out.append(_STRFTIME[code])
            index += 2
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def _csv(items: list[Item]) -> CsvLayout | None:
    """The CSV layout of a format of space-separated tokens; None for any other shape."""
    tokens: list[list[Item]] = [[]]
    for item in items:
        if isinstance(item, Var):
            tokens[-1].append(item)
            continue
        pieces = item.text.split(" ")
        for number, piece in enumerate(pieces):
            if number:
                tokens.append([])
            if piece:
                tokens[-1].append(Text(piece))
    stops: dict[int, str] = {}
    for index, item in enumerate(items[:-1]):
        after = items[index + 1]
        if isinstance(item, Var) and isinstance(after, Text):
            stops[id(item)] = after.text[0]
    columns: list[CsvColumn] = []
    for token in tokens:
        column = _token_columns(token)
        if column is None:
            return None
        columns.extend(
            CsvColumn(
                c.var,
                c.quoted,
                c.prefix,
                c.suffix,
                c.literal,
                c.part,
                c.parts,
                stops.get(id(c.var)) if c.var is not None else None,
            )
            for c in column
        )
    return CsvLayout(tuple(columns))


def _token_columns(token: list[Item]) -> list[CsvColumn] | None:
    if not token:
        return None  # two spaces in a row, or a leading/trailing space
    texts = [i for i in token if isinstance(i, Text)]
    variables = [i for i in token if isinstance(i, Var)]
    if not variables:
        literal = "".join(t.text for t in texts)
        return None if '"' in literal else [CsvColumn(None, False, literal=literal)]
    if len(variables) != 1:
        return None
    var = variables[0]
    at = token.index(var)
    prefix = "".join(i.text for i in token[:at] if isinstance(i, Text))
    suffix = "".join(i.text for i in token[at + 1 :] if isinstance(i, Text))
    if prefix == '"' and suffix == '"':
        return [CsvColumn(var, True)]
    if '"' in prefix or '"' in suffix:
        return None
    parts = _SPACED.get(var.name, 1)
    if var.name.startswith("http_") or var.name in ("request", "time_custom"):
        return None  # may hold spaces outside quotes
    return [
        CsvColumn(
            var,
            False,
            prefix=prefix if part == 0 else "",
            suffix=suffix if part == parts - 1 else "",
            part=part,
            parts=parts,
        )
        for part in range(parts)
    ]
