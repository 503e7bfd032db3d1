"""What every command of the command line shares: error handling, options, and output formats."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import MspdocsError

FORMATS = click.Choice(["text", "json"])


class ErrorReportingGroup(click.Group):
    """Turns every MspdocsError, from any subcommand, into one message and its exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MspdocsError as exc:
            for line in str(exc).splitlines():
                click.echo(f"mspdocs: error: {line}", err=True)
            ctx.exit(exc.exit_code)


def workspace_of(ctx: click.Context) -> str | None:
    """The workspace named on the command (`-w` after it) or before it, else None (the default)."""
    return ctx.meta.get("mspdocs.workspace") or ctx.find_root().params.get("workspace")


def _remember_workspace(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta["mspdocs.workspace"] = value


def format_option(command):
    """`--format text|json` for a command that reports."""
    return click.option("--format", "output_format", type=FORMATS, default="text", show_default=True,
                        help="text: readable lines and tables; json: stable, for scripts.")(command)


def workspace_option(command):
    """`-w/--workspace` on a subcommand too, so it may come after the command's name."""
    return click.option("-w", "--workspace", type=click.Path(file_okay=False), expose_value=False,
                        callback=_remember_workspace, is_eager=True,
                        help="Workspace folder (default: the nearest folder holding mspdocs.toml, from "
                             "the current directory up; env MSPDOCS_WORKSPACE).")(command)


class DateType(click.ParamType):
    """A calendar date written YYYY-MM-DD, the one form every date in mspdocs takes."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"'{value}' is not a date (write YYYY-MM-DD)", param, ctx)


DATE = DateType()


def shown(path: Path) -> str:
    """A path as the user can use it: relative when below the current folder, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def emit(output_format: str, data: Any, text_lines) -> None:
    """Print JSON (stable, UTF-8) or the text lines."""
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for line in text_lines:
            click.echo(line)


def table(rows: list[dict], columns: list[str]) -> list[str]:
    """Aligned columns under an upper-case header; nothing at all when there are no rows."""
    if not rows:
        return []
    cells = [["-" if row.get(name) in (None, "") else str(row[name]) for name in columns] for row in rows]
    widths = [max([len(name)] + [len(line[i]) for line in cells]) for i, name in enumerate(columns)]
    lines = ["  ".join(name.upper().ljust(w) for name, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in cells]
    return lines


class ProgressBar:
    """A progress bar on a terminal, sized by the first report; silent in pipes and for one document."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if total < 2 or not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc_info)
