"""The one error family: what went wrong, and where the user must look to fix it."""

from __future__ import annotations

from pathlib import Path


class MspdocsError(Exception):
    """Base of every error the user can act on; the CLI turns it into a message and an exit status."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        clause: str | None = None,
        variable: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.clause = clause
        self.variable = variable

    def __reduce__(self):
        # Errors cross process boundaries in parallel batches; keep every field on the way.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))

    def location(self) -> str:
        """`file:line: field` (the parts that are known), for the front of a message."""
        where = self.path or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f"{': ' if where else ''}{self.field}"
        return where

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class InputError(MspdocsError):
    """A file the user wrote (customer, catalog, clause, profile) is malformed or inconsistent."""


class RenderError(MspdocsError):
    """A document could not be rendered truthfully (missing value, leftover tag, lost customer value)."""


class WriteError(MspdocsError):
    """A file could not be written (a full disk, a read-only folder, a file where a folder belongs)."""


class ProblemsFound(MspdocsError):
    """A check ran and found problems (exit status 1), e.g. an unapproved clause."""

    exit_code = 1


class MultipleErrors(MspdocsError):
    """Several independent input errors, gathered so the user can fix them in one pass."""

    def __init__(self, errors: list[MspdocsError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
        self.exit_code = max(e.exit_code for e in self.errors)

    def __str__(self) -> str:
        return self.message


def raise_all(errors: list[MspdocsError]) -> None:
    """Raise the gathered errors: nothing, the single one, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise MultipleErrors(errors)


def _rebuild(cls: type, message: str, state: dict) -> MspdocsError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
