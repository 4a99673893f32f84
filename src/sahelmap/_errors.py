"""Errors raised for user mistakes. The CLI prints them as one line each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input: where it is, what it is, and how to fix it."""

    file: str
    line: int  # 1-based physical line; 1 is the header, 0 means the whole file
    field: str
    value: str
    message: str
    fix: str
    level: str = "error"  # "error" rejects the row or file; "warning" only informs

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        value = f" {self.value!r}" if self.value != "" else ""
        field = f"{self.field}{value}: " if self.field else ""
        tag = "warning: " if self.level == "warning" else ""
        return f"{where}: {tag}{field}{self.message}; {self.fix}"


class SahelmapError(Exception):
    """Base class of the errors the CLI turns into one-line messages."""


class InputError(SahelmapError, ValueError):
    """An input file cannot be used at all (missing, unreadable, wrong layout)."""


class RecordsError(InputError):
    """One or more records are invalid; ``problems`` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class GeodataError(InputError):
    """The reference data in ``geodata/`` is missing or malformed."""
