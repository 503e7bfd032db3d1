"""QBRs held and their action items, as register events: `qbr record`, `qbr close-action`, and their history."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..evidence.register import (
    DOCUMENT_GENERATED,
    QBR_ACTION_CLOSED,
    QBR_HELD,
    Entry,
    Register,
    current_actor,
)
from ..workspace.customers import customer_files
from ..workspace.fields import _CONTROL
from ..workspace.files import read_text_bounded
from ..workspace.folder import Workspace, open_workspace

MAX_NOTES_BYTES = 256 * 1024
_ACTION_PART = re.compile(r"\s*(owner|due)\s*=\s*(.*?)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Action:
    """One action item agreed at a QBR; `closed_on` is set once `qbr close-action` recorded it done."""

    id: str
    text: str
    owner: str | None
    due: dt.date | None
    raised_on: dt.date
    closed_on: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "owner": self.owner,
                "due": self.due.isoformat() if self.due else None, "raised_on": self.raised_on.isoformat(),
                "closed_on": self.closed_on.isoformat() if self.closed_on else None}


@dataclass(frozen=True)
class Meeting:
    held_on: dt.date
    attendees: list[str]
    agenda: str | None
    seq: int


@dataclass
class History:
    """Every QBR recorded for one customer (oldest first) and every action item, open or closed."""

    customer: str
    meetings: list[Meeting] = field(default_factory=list)
    actions: dict[str, Action] = field(default_factory=dict)

    @property
    def last(self) -> Meeting | None:
        return max(self.meetings, key=lambda m: (m.held_on, m.seq)) if self.meetings else None

    @property
    def open_actions(self) -> list[Action]:
        return [action for action in self.actions.values() if action.closed_on is None]


def parse_action(text: str, option: str = "--action") -> dict[str, Any]:
    """`"Enable MFA for all staff; owner=Jane Roe; due=2027-01-15"`: the text, then optional `; owner=`
    and `; due=` parts (in either order), each at most once."""
    parts = text.split(";")
    extras: dict[str, str] = {}
    while len(parts) > 1 and (match := _ACTION_PART.fullmatch(parts[-1])):
        key = match.group(1).lower()
        if key in extras:
            raise InputError(f"'{key}=' is given twice in '{text}'", field=option)
        extras[key] = match.group(2)
        parts.pop()
    body = ";".join(parts).strip()
    if not body:
        raise InputError(f"an action needs a text before its owner and due date: '{text}'", field=option)
    for value in (body, *extras.values()):
        if _CONTROL.search(value) or "\n" in value:
            raise InputError("an action must be one line of plain text", field=option)
    due = None
    if "due" in extras:
        due = parse_date(extras["due"], f"{option} due")
    if "owner" in extras and not extras["owner"]:
        raise InputError(f"'owner=' names nobody in '{text}'", field=option)
    return {"text": body, "owner": extras.get("owner"), "due": due.isoformat() if due else None}


def parse_date(text: str, field_name: str) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"'{text}' is not a date (write YYYY-MM-DD)", field=field_name) from None


def require_customer(space: Workspace, customer: str) -> None:
    if customer not in {path.stem for path in customer_files(space)}:
        raise InputError(f"no such customer: {customer}", path=space.path("customers"))


def record_qbr(customer: str, held_on: dt.date, attendees: list[str], actions: list[str] | None = None,
               notes: str | Path | None = None, agenda: str | None = None, *,
               workspace: str | Path | None = None, by: str | None = None, today: dt.date | None = None) -> Entry:
    """Record that a QBR was held with `customer`: attendees, action items, notes, the agenda used."""
    space = open_workspace(workspace)
    require_customer(space, customer)
    if held_on > (today or dt.date.today()):
        raise InputError(f"--held-on {held_on.isoformat()} is in the future: record a QBR once it was held",
                         field="--held-on")
    names = [name.strip() for name in attendees if name.strip()]
    if not names:
        raise InputError("name at least one attendee (--attendee NAME, repeat for several)", field="--attendee")
    if any(_CONTROL.search(name) or "\n" in name for name in names):
        raise InputError("an attendee must be one line of plain text", field="--attendee")
    parsed = [parse_action(text) for text in actions or []]
    payload: dict[str, Any] = {"held_on": held_on.isoformat(), "attendees": names, "agenda": agenda}
    if notes is not None:
        text = read_text_bounded(Path(notes), MAX_NOTES_BYTES)
        payload["notes"] = {"name": Path(notes).name, "text": text,
                            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    with Register.of(space) as register:
        if agenda is not None:
            _check_agenda(register, customer, agenda)

        def with_action_ids(current: Register) -> dict[str, Any]:
            numbered = len(history_of(current, customer).actions)
            return dict(payload, actions=[dict(action, id=f"A{numbered + n}") for n, action in
                                          enumerate(parsed, start=1)])

        return register.record_computed(QBR_HELD, with_action_ids, current_actor(by), customer=customer)


def _check_agenda(register: Register, customer: str, document_id: str) -> None:
    generated = [e for e in register.entries(document_id=document_id) if e.event == DOCUMENT_GENERATED]
    if not generated or generated[0].customer != customer or generated[0].kind != "qbr-agenda":
        raise InputError(f"'{document_id}' is no QBR agenda of {customer} in the register", field="--agenda")


def close_action(customer: str, action_id: str, closed_on: dt.date | None = None, *,
                 workspace: str | Path | None = None, by: str | None = None) -> Entry:
    """Record one open action item of `customer` as done."""
    space = open_workspace(workspace)
    require_customer(space, customer)
    day = closed_on or dt.date.today()
    wanted = action_id.strip().upper()
    with Register.of(space) as register:
        def closing(current: Register) -> dict[str, Any]:
            actions = history_of(current, customer).actions
            if wanted not in actions:
                known = ", ".join(a.id for a in actions.values() if a.closed_on is None) or "none"
                raise InputError(f"{customer} has no action '{action_id}' (open: {known})", field="ACTION")
            if actions[wanted].closed_on is not None:
                raise InputError(f"action {wanted} of {customer} was closed on "
                                 f"{actions[wanted].closed_on.isoformat()}", field="ACTION")
            return {"action": wanted, "closed_on": day.isoformat()}

        return register.record_computed(QBR_ACTION_CLOSED, closing, current_actor(by), customer=customer)


def history_of(register: Register, customer: str) -> History:
    return histories(register.entries(customer=customer)).get(customer, History(customer))


def histories(entries: list[Entry]) -> dict[str, History]:
    """Each customer's QBRs and action items, from register entries in chain order."""
    found: dict[str, History] = {}
    for entry in entries:
        if entry.event not in (QBR_HELD, QBR_ACTION_CLOSED) or entry.customer is None:
            continue
        history = found.setdefault(entry.customer, History(entry.customer))
        payload = entry.payload
        if entry.event == QBR_HELD:
            held_on = dt.date.fromisoformat(payload["held_on"])
            history.meetings.append(Meeting(held_on, payload["attendees"], payload.get("agenda"), entry.seq))
            for action in payload.get("actions", []):
                due = dt.date.fromisoformat(action["due"]) if action.get("due") else None
                history.actions[action["id"]] = Action(action["id"], action["text"], action.get("owner"), due,
                                                       held_on)
        elif payload.get("action") in history.actions:
            action = history.actions[payload["action"]]
            history.actions[action.id] = Action(action.id, action.text, action.owner, action.due,
                                                action.raised_on, dt.date.fromisoformat(payload["closed_on"]))
    return found


def read_histories(space: Workspace) -> dict[str, History]:
    """Every customer's QBR history (none when the workspace has no register yet)."""
    register = Register.existing(space.path("register"))
    if register is None:
        return {}
    with register:
        return histories(register.entries(event=(QBR_HELD, QBR_ACTION_CLOSED)))
