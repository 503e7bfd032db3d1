"""The built-in sample MSP: a workspace whose profile still describes it does not speak for a real MSP.

`mspdocs init` copies the sample profile (`profile.toml` beside this module) into every new workspace.
Until the MSP has put its own identity in `mspdocs.toml`, customer-facing documents would name the
sample company as the provider, a fact nobody recorded; so each identity field that still holds the
sample's value is a problem. Recognising the sample by its values, rather than by a marker the user
must delete, also catches a profile that was half edited (a new name, the sample's e-mail address).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, raise_all
from .tomlfile import read_toml

SAMPLE_PROFILE = Path(__file__).with_name("profile.toml")
# The fields that say who the provider is; a real MSP may share the sample's city, currency or defaults.
IDENTITY_FIELDS = (
    ("msp", "name"),
    ("msp", "legal_name"),
    ("msp", "email"),
    ("msp", "phone"),
    ("msp", "address", "street"),
    ("msp", "signatory", "name"),
    ("msp", "signatory", "email"),
)


def _value_and_line(data, keys: tuple[str, ...]) -> tuple[str | None, int | None]:
    line = getattr(data, "line", None)
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None, line
        line = data.lines.get(key, line)
        data = data[key]
    return (data if isinstance(data, str) else None), line


def _same(mine: str, sample: str) -> bool:
    return " ".join(mine.split()).casefold() == " ".join(sample.split()).casefold()


def sample_identity_problems(profile_path: Path) -> list[InputError]:
    """One error for each identity field of the profile that still holds the sample MSP's value."""
    sample, own = read_toml(SAMPLE_PROFILE), read_toml(profile_path)
    problems = []
    for keys in IDENTITY_FIELDS:
        value, line = _value_and_line(own, keys)
        sample_value, _ = _value_and_line(sample, keys)
        if value is not None and sample_value is not None and _same(value, sample_value):
            problems.append(InputError(
                f"still the built-in sample MSP's ('{value}'): put your own MSP's here before generating "
                "customer documents (or generate drafts with --draft)",
                path=profile_path, line=line, field=".".join(keys)))
    return problems


def refuse_sample_profile(profile_path: Path) -> None:
    """Raise (exit 2) naming every field of `profile_path` that still describes the sample MSP."""
    raise_all(sample_identity_problems(profile_path))
