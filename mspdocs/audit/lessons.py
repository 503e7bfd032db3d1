"""The six lessons of DESIGN §1, each judged for one customer: ok, gap or unknown, with the reason and the fix."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..evidence.register import Entry
from ..qbr.agenda import declined_date
from ..render.environment import counted
from ..workspace.catalog import Catalog
from ..workspace.customers import SERVICE_LISTS, Customer
from .facts import CustomerFacts, document_date

OK, GAP, UNKNOWN = "ok", "gap", "unknown"
LESSONS = {1: "signed agreement", 2: "scope defined", 3: "declined risks signed", 4: "own insurance",
           5: "delivery", 6: "QBRs"}
EVIDENCE_MAX_AGE_DAYS = 30  # older delivery evidence says nothing about today
SIGN = "have it signed, then record the returned copy: mspdocs signed add FILE"


@dataclass(frozen=True)
class Check:
    """One lesson's verdict for one customer."""

    lesson: int
    status: str
    reason: str
    action: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"lesson": self.lesson, "status": self.status, "reason": self.reason, "action": self.action}


def record_file(customer: Customer) -> str:
    return f"{customer.path.parent.name}/{customer.path.name}"


def signed_note(facts: CustomerFacts, entry: Entry) -> str:
    copy = facts.signed[entry.document_id][-1].payload
    signer = copy.get("signer") or "signer not named"
    return f"signed by {signer} ({copy.get('assurance', 'recorded')})"


def agreement_check(customer: Customer, facts: CustomerFacts, approved_versions: dict[str, int]) -> Check:
    """Lesson 1: the current agreement has a recorded signed copy."""
    make = f"mspdocs generate agreement {customer.id} --pdf; {SIGN}"
    agreements = facts.generated("agreement")
    current = facts.current("agreement")
    if current is None:
        if customer.data.get("agreement") is None:
            return Check(1, GAP, "no contract on file: the record has no agreement terms and no agreement "
                                 "was generated", f"complete the agreement terms and services in "
                                                  f"{record_file(customer)}; then {make}")
        return Check(1, GAP, "no agreement generated", make)
    issued = f"{current.document_id} of {document_date(current).isoformat()}"
    if facts.is_signed(current):
        outdated = older_clauses(current, approved_versions)
        if outdated:
            return Check(1, OK, f"agreement {issued} {signed_note(facts, current)}; re-sign recommended: "
                                f"built from older clause versions ({', '.join(outdated)})", make)
        return Check(1, OK, f"agreement {issued} {signed_note(facts, current)}")
    get_signed = f"{SIGN}" if current.payload.get("pdf") else make
    earlier = [e for e in agreements if e is not current and facts.is_signed(e)]
    if earlier:
        return Check(1, GAP, f"the signed agreement {earlier[-1].document_id} was superseded by {issued}, "
                             "which is not signed", f"{current.document_id}: {get_signed}")
    return Check(1, GAP, f"agreement {issued} was generated but never signed",
                 f"{current.document_id}: {get_signed}")


def older_clauses(entry: Entry, approved_versions: dict[str, int]) -> list[str]:
    """The clauses placed in a document at a version older than the library's approved one."""
    found = []
    for placed in entry.payload.get("clauses", []):
        latest = approved_versions.get(placed.get("id"))
        if latest is not None and int(placed.get("version", 0)) < latest:
            found.append(f"{placed['id']} v{placed['version']}, now v{latest}")
    return found


def unclassified(customer: Customer, catalog: Catalog) -> list[str]:
    listed = {sid for name in SERVICE_LISTS for sid in customer.services[name]}
    return [sid for sid in catalog.services if sid not in listed]


def scope_check(customer: Customer, catalog: Catalog, facts: CustomerFacts) -> Check:
    """Lesson 2: every catalog service classified; the current agreement states the record's scope."""
    missing = unclassified(customer, catalog)
    if missing:
        what = ("no service is classified" if len(missing) == len(catalog.services)
                else f"{counted(len(missing), 'service')} not classified: {', '.join(missing)}")
        return Check(2, GAP, what, f"classify every catalog service in {record_file(customer)} under "
                                   "services: subscribed, declined or excluded")
    current = facts.current("agreement")
    regenerate = f"mspdocs generate agreement {customer.id} --pdf; {SIGN}"
    if current is None:
        return Check(2, GAP, "every service is classified, but no agreement states the scope", regenerate)
    stated = current.payload.get("scope")
    if not isinstance(stated, dict):
        return Check(2, UNKNOWN, f"agreement {current.document_id} does not record the scope it states "
                                 "(generated before the register recorded it)", regenerate)
    listed = {sid: name for name in SERVICE_LISTS for sid in stated.get(name, [])}
    differences = [f"{sid}: {name} in the record, {listed.get(sid, 'absent')} in {current.document_id}"
                   for name in SERVICE_LISTS for sid in customer.services[name] if listed.get(sid) != name]
    if differences:
        return Check(2, GAP, "the agreement's scope differs from the record: " + "; ".join(differences),
                     regenerate)
    return Check(2, OK, f"all {len(catalog.services)} services classified; agreement {current.document_id} "
                        f"states the same scope ({len(customer.services['excluded'])} excluded)")


def signed_letters(facts: CustomerFacts) -> list[tuple[Entry, dt.date, set[str]]]:
    """Each risk letter with a recorded signed copy: the entry, its date and the services it names."""
    return [(e, document_date(e), set(e.payload.get("declined", []))) for e in facts.generated("risk-letter")
            if facts.is_signed(e)]


def uncovered_declines(customer: Customer, facts: CustomerFacts) -> dict[str, str]:
    """Declined service -> why no signed risk letter covers it (absent when one does)."""
    letters = signed_letters(facts)
    found = {}
    for service_id in customer.services["declined"]:
        decided = declined_date(customer, service_id)
        naming = [(e, day) for e, day, names in letters if service_id in names]
        if any(decided is None or day >= decided for _, day in naming):
            continue
        unsigned = [e.document_id for e in facts.generated("risk-letter") if not facts.is_signed(e)
                    and service_id in e.payload.get("declined", [])]
        if naming:
            found[service_id] = (f"signed letter {naming[-1][0].document_id} predates the decision of "
                                 f"{decided.isoformat()}")
        elif unsigned:
            found[service_id] = f"letter {unsigned[-1]} not signed"
        else:
            found[service_id] = f"declined {decided.isoformat()}" if decided else "no letter"
    return found


def declined_check(customer: Customer, catalog: Catalog, facts: CustomerFacts) -> Check:
    """Lesson 3: each declined service is covered by a signed risk letter naming it, newer than the decision."""
    declined = customer.services["declined"]
    if not declined:
        if len(unclassified(customer, catalog)) == len(catalog.services):
            return Check(3, UNKNOWN, "no service is classified, so no decline is recorded",
                         f"classify every catalog service in {record_file(customer)}")
        return Check(3, OK, "no service declined")
    uncovered = uncovered_declines(customer, facts)
    if uncovered:
        options = " ".join(f"--service {sid}" for sid in uncovered)
        letter = facts.current("risk-letter")
        names = set(letter.payload.get("declined", [])) if letter is not None else set()
        if letter is not None and set(uncovered) <= names and not facts.is_signed(letter) and letter.payload.get("pdf"):
            action = f"{letter.document_id}: {SIGN}"
        else:
            action = f"mspdocs generate risk-letter {customer.id} {options} --pdf; {SIGN}"
        groups: dict[str, list[str]] = {}
        for service_id, note in uncovered.items():
            groups.setdefault(note, []).append(service_id)
        return Check(3, GAP, "declined without a signed risk letter: "
                     + "; ".join(f"{', '.join(ids)} ({note})" for note, ids in groups.items()), action)
    return Check(3, OK, f"all {len(declined)} declined services accepted in signed risk letters")


def insurance_check(customer: Customer, catalog: Catalog, facts: CustomerFacts, minimum: Any,
                    required_by_default: bool, as_of: dt.date) -> Check:
    """Lesson 4: insurance with proof, in force at `as_of`, at least the minimum; insurer controls offered."""
    terms = customer.data.get("agreement") or {}
    required = terms.get("insurance_required", required_by_default)
    policy = customer.data.get("insurance")
    problems, actions = [], []
    notice = f"mspdocs generate insurance-notice {customer.id}"
    if policy is None and required:
        problems.append("no cyber-liability insurance on file")
        actions.append(f"record the customer's policy under insurance: in {record_file(customer)} ({notice})")
    elif policy is not None:
        if not policy["proof_on_file"]:
            problems.append(f"no proof of the {policy['carrier']} policy on file")
            actions.append("obtain the certificate of insurance; then set proof_on_file: true")
        if policy["expires"] < as_of:
            problems.append(f"policy {policy['policy_number']} expired on {policy['expires'].isoformat()}")
            actions.append(f"record the renewed policy ({notice})")
        if policy["limit"] < minimum:
            problems.append(f"limit {policy['limit']} below the minimum {minimum}")
            actions.append(f"ask for a higher limit ({notice})")
    open_controls, to_offer, to_sign = [], [], []
    uncovered = uncovered_declines(customer, facts)
    for control, label in catalog.insurer_controls.items():
        offering = [s.id for s in catalog.services.values() if control in s.insurer_controls]
        if any(sid in customer.services["subscribed"] for sid in offering):
            continue
        declined = [sid for sid in offering if sid in customer.services["declined"]]
        if declined and any(sid not in uncovered for sid in declined):
            continue
        open_controls.append(label)
        (to_sign if declined else to_offer).extend(declined or offering[:1])
    if open_controls:
        problems.append("insurer-required controls neither subscribed nor declined in writing: "
                        + "; ".join(open_controls))
        if to_sign:
            actions.append(f"get the risk letter for {', '.join(dict.fromkeys(to_sign))} signed (lesson 3)")
        if to_offer:
            actions.append(f"offer {', '.join(dict.fromkeys(to_offer))}: subscribed, or declined in a signed "
                           "risk letter")
    if problems:
        return Check(4, GAP, "; ".join(problems), "; ".join(dict.fromkeys(actions)))
    if policy is None:
        return Check(4, OK, "insurance not required by the agreement; insurer-required controls offered")
    return Check(4, OK, f"{policy['carrier']} {policy['policy_number']}, limit {policy['limit']}, expires "
                        f"{policy['expires'].isoformat()}, proof on file")
