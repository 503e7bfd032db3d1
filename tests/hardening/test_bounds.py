"""The sandbox's bounds, one-line errors for failures of the machine, and approvals recorded in the register."""

from __future__ import annotations

import errno
import json
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from mspdocs.cli import cli
from mspdocs.errors import RenderError
from mspdocs.render.environment import compile_template
from mspdocs.render.limits import TooLong, bounded


@pytest.mark.parametrize("source", [
    "{{ 10**100000000 }}", "{{ 'x'*10**9 }}", "{{ [0]*10**9 }}", "{{ 'x'|center(10**9) }}",
    "{{ 'x'.ljust(1000000000) }}", "{{ '%0999999999d' % 1 }}", "{{ '{:>999999999}'.format(1) }}",
    "{{ 'ab'|replace('a', 'a'*1000)|replace('a', 'a'*1000) }}", "{{ (2**4000) * (2**4000) }}",
])
def test_the_sandbox_refuses_to_build_huge_values(source):
    with pytest.raises(RenderError, match="sandbox's bounds"):
        compile_template(source).render()


def test_ordinary_arithmetic_and_text_still_work():
    text = compile_template("{{ 2**100 }} {{ 'ab'*3 }} {{ '%5d'|format(42) }} {{ 'x'|center(5) }}").render()
    assert text == "1267650600228229401496703205376 ababab    42   x  "


def test_the_time_limit_stops_a_loop_and_is_put_back():
    with pytest.raises(TooLong, match="took longer than 1 s"):
        with bounded(1, 512):
            compile_template("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                             "{% endfor %}").render()
    assert compile_template("{{ 1 + 1 }}").render() == "2"


def _one_line_error(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("mspdocs: error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def _documents(workspace) -> list:
    return [p for p in (workspace / "output").rglob("*") if p.is_file()]


def test_a_full_disk_while_staging_is_one_line_and_leaves_nothing(runner, workspace, monkeypatch):
    def no_space(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert "No space left on device" in _one_line_error(result)
    assert _documents(workspace) == [] and not (workspace / "register.sqlite3").exists()


def test_an_interrupted_worker_pool_is_one_line(runner, workspace, monkeypatch):
    import mspdocs.batch

    def broken(*args, **kwargs):
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(mspdocs.batch, "render_all", broken)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--all", "--jobs", "2"])
    assert "a rendering process stopped unexpectedly" in _one_line_error(result)
    assert _documents(workspace) == []


def test_approvals_and_retirements_are_register_events(runner, workspace):
    clause = workspace / "clauses" / "general.entire-agreement.md"
    clause.write_text(clause.read_text().replace("Agreement", "Contract").replace("version: 2", "version: 3"))
    approved = runner.invoke(cli, ["-w", str(workspace), "clauses", "approve", "general.entire-agreement",
                                   "--by", "Counsel Jane", "--reason", "plainer word"])
    assert approved.exit_code == 0, approved.output
    assert runner.invoke(cli, ["-w", str(workspace), "clauses", "retire", "scope.third-party"]).exit_code == 0
    listed = runner.invoke(cli, ["-w", str(workspace), "register", "list", "--format", "json"])
    events = [(row["event"], row.get("actor") or row.get("by")) for row in json.loads(listed.output)]
    assert [event for event, _ in events] == ["clause.approved", "clause.retired"]
    assert events[0][1] == "Counsel Jane"
    assert runner.invoke(cli, ["-w", str(workspace), "register", "verify"]).exit_code == 0
    generated = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert generated.exit_code == 0, generated.output


def test_an_approval_pasted_into_the_lock_is_refused_until_counsel_approves(runner, workspace):
    from mspdocs.workspace.clauses import load_library

    clause = workspace / "clauses" / "general.entire-agreement.md"
    before = load_library(workspace / "clauses")["general.entire-agreement"].text_hash
    clause.write_text(clause.read_text().replace("Agreement", "Contract"))
    after = load_library(workspace / "clauses")["general.entire-agreement"].text_hash
    lock = workspace / "clauses" / "approvals.lock"
    lock.write_text(lock.read_text().replace(before, after))
    refused = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert refused.exit_code == 1 and "not in the register" in refused.output and _documents(workspace) == []
    approved = runner.invoke(cli, ["-w", str(workspace), "clauses", "approve", "general.entire-agreement",
                                   "--by", "Counsel"])
    assert approved.exit_code == 0, approved.output
    assert runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"]).exit_code == 0
