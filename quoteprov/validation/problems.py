"""What validation reports: one `Problem` per finding, the `Report` of a run, and the `Sink`
that collects problems (counting all, keeping a bounded number per file)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..defaults import MAX_PROBLEMS as MAX_PROBLEMS  # re-exported (validation.MAX_PROBLEMS)

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One problem: where (path, 1-based line and column), how bad, what and why."""

    path: str
    line: int
    column: int
    severity: str  # error | warning
    code: str
    field: str
    message: str

    def format(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {self.severity} [{self.code}] {where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "severity": self.severity,
                "code": self.code, "field": self.field, "message": self.message}

    def github(self) -> str:
        """A GitHub Actions workflow annotation."""
        def esc(s: str, prop: bool = False) -> str:
            s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return s.replace(":", "%3A").replace(",", "%2C") if prop else s
        where = f"{self.field}: " if self.field else ""
        return (f"::{self.severity} file={esc(self.path, True)},line={self.line},col={self.column},"
                f"title={esc(self.code, True)}::{esc(where + self.message)}")


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: the problems (at most MAX_PROBLEMS per file are kept; the
    counts are complete), how much was read, and whether warnings count as errors."""

    problems: tuple[Problem, ...]
    errors: int
    warnings: int
    files: int
    records: int
    omitted: int = 0  # problems counted but not kept
    fatal: bool = False  # unreadable input or nothing to validate (exit status 2)
    strict: bool = False

    @property
    def ok(self) -> bool:
        return not self.fatal and self.errors == 0 and not (self.strict and self.warnings)

    @property
    def exit_status(self) -> int:
        return 2 if self.fatal else 0 if self.ok else 1

    def summary(self) -> str:
        errors = self.errors + (self.warnings if self.strict else 0)
        warnings = 0 if self.strict else self.warnings
        head = "valid" if self.ok else "invalid"
        more = f"; {self.omitted} more not shown" if self.omitted else ""
        return (f"{head}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
                f"in {self.files} file{'s' * (self.files != 1)} ({self.records:,} records checked{more})")

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.ok, "errors": self.errors, "warnings": self.warnings, "files": self.files,
                "records": self.records, "omitted": self.omitted,
                "problems": [p.to_dict() for p in self.problems]}


class Sink:
    """Collects problems, counting all of them but keeping at most `limit` per file."""

    def __init__(self, strict: bool, limit: int | None) -> None:
        self.strict, self.limit = strict, limit
        self.problems: list[Problem] = []
        self.errors = self.warnings = self.omitted = 0
        self.per_file: dict[str, int] = {}
        self.seen: set[tuple[str, int, int, str, str, str]] = set()
        self.fatal = False

    def add(self, path: str, line: int, column: int, severity: str, code: str, field: str, message: str) -> None:
        kept = self.per_file.get(path, 0)
        full = self.limit is not None and kept >= self.limit
        if not full:
            key = (path, line, column, code, field, message)
            if key in self.seen:
                return  # the same file reached twice (a folder and a file in it, say)
            self.seen.add(key)
        if severity == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if full:
            self.omitted += 1
            return
        self.per_file[path] = kept + 1
        severity = ERROR if self.strict else severity
        self.problems.append(Problem(path, line, column, severity, code, field, message))

    def merge(self, other: "Sink") -> None:
        """Add the problems of a non-strict sink (same limit), kept and counted alike."""
        kept_errors = sum(p.severity == ERROR for p in other.problems)
        for p in other.problems:
            self.add(p.path, p.line, p.column, p.severity, p.code, p.field, p.message)
        self.errors += other.errors - kept_errors
        self.warnings += other.warnings - (len(other.problems) - kept_errors)
        self.omitted += other.omitted


def quoted(text: Any, width: int = 48) -> str:
    """A value quoted for a message, shortened so a line stays readable."""
    if isinstance(text, str):
        s = text if len(text) <= width else text[:width] + "…"
        return json.dumps(s, ensure_ascii=False)
    return json.dumps(text, ensure_ascii=False) if text is None or isinstance(text, (int, float, bool)) else repr(text)
