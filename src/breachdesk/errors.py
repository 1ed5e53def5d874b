"""The exception tree of Breachdesk: every error a user can cause or meet is one of these.

Each error says what went wrong, where (file and line when there is one) and how to fix it,
so the CLI can print it as one line and exit with the right code::

    BreachdeskError                 exit 1 unless a subclass says otherwise
    ├── UserInputError              exit 2: the user gave something we cannot use
    │   ├── ConfigError             breachdesk.toml or BREACHDESK_* settings are invalid
    │   ├── WorkspaceError          the workspace folder is missing, unreadable or not one
    │   ├── InputFileError          a file the user gave is malformed (carries path and line)
    │   │   └── RuleFileError       a detection rule (Sigma) cannot be loaded or used
    │   └── SourceUnavailable       a database or file source cannot be reached or opened
    ├── KeyMismatch                 exit 2: the encryption key does not open this workspace
    └── StoreError                  the workspace database failed (migration, integrity)
"""

from __future__ import annotations

from pathlib import Path


class BreachdeskError(Exception):
    """Root of every error Breachdesk raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return f"{where}{self.message}"


class UserInputError(BreachdeskError):
    """Something the user supplied cannot be used as given."""

    exit_code = 2


class ConfigError(UserInputError):
    """The settings (breachdesk.toml or BREACHDESK_* variables) are invalid."""


class WorkspaceError(UserInputError):
    """The workspace folder is missing, unreadable, or not a Breachdesk workspace."""


class InputFileError(UserInputError):
    """A file given to Breachdesk is malformed; carries the path and, where known, the line."""


class RuleFileError(InputFileError):
    """A detection rule file (Sigma) cannot be parsed, converted or run."""


class SourceUnavailable(UserInputError):
    """A database or file source cannot be reached or opened as asked."""


class KeyMismatch(BreachdeskError):
    """The field-encryption key does not decrypt this workspace's data."""

    exit_code = 2


class StoreError(BreachdeskError):
    """The workspace store failed in a way that is not the user's input."""
