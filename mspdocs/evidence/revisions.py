"""The revisions after the generated one: only signatures in its own fields and validation data may follow."""

from __future__ import annotations

import io
import re

from ..errors import ProblemsFound

ORPHANED_GENERATION = "orphaned generation"
# More fields, annotations or pages than this in one revision is not a signed agreement.
MAX_NODES = 10_000
_WHITE_SPACE = b"\x00\t\n\x0c\r "
_TAIL = re.compile(rb"startxref\s+(\d+)\s+%%EOF[\x00\t\n\x0c\r ]*\Z")


def open_reader(data: bytes):
    """pyHanko's reader: strict, except for one harmless quirk of poppler's `pdfsig`.

    pdfsig gives a new object an unused generation of a number already taken instead of a new number
    ("orphaned generation"). The strict reader refuses that; the file is then read leniently, and every
    object of every revision after the generated one is still accounted for by the difference review.
    """
    from pyhanko.pdf_utils.misc import PdfStrictReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(io.BytesIO(data))
    except PdfStrictReadError as exc:
        if ORPHANED_GENERATION not in str(exc):
            raise
    return PdfFileReader(io.BytesIO(data), strict=False)


def embedded_signatures(reader) -> list:
    """Every filled signature field's signature in signing order; one that cannot be parsed is named.

    pyHanko's own list skips signatures of an unknown /SubFilter; here they are refused like any other
    signature that cannot be parsed.
    """
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    found = []
    for name, _, field in enumerate_sig_fields(reader, filled_status=True):
        try:
            found.append(EmbeddedPdfSignature(reader, field, name))
        except Exception as exc:  # noqa: BLE001 - any failure on untrusted input is a rejection
            raise unparsable(name, exc) from None
    return sorted(found, key=lambda embedded: embedded.signed_revision)


def unparsable(field: str, exc: Exception) -> ProblemsFound:
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return ProblemsFound(f"the signature in {field} cannot be parsed ({detail})")


def unrevised_tail(data: bytes) -> str | None:
    """Why the end of the file holds bytes no revision contains, or None.

    The file must end with `startxref N %%EOF` whose cross-reference starts after the previous
    `%%EOF`: bytes appended after the last revision, even ones closed by a copy of an old trailer,
    are refused.
    """
    end = data.rfind(b"%%EOF")
    trailing = len(data) if end < 0 else len(data[end + len(b"%%EOF"):].strip(_WHITE_SPACE))
    if trailing:
        return f"{trailing} bytes after the last %%EOF belong to no revision and no signature covers them"
    tail = _TAIL.search(data, max(0, len(data) - 256))
    if tail is None or int(tail.group(1)) < data.rfind(b"%%EOF", 0, tail.start()):
        return ("the bytes before the last %%EOF belong to no revision (its startxref points into an "
                "earlier one)")
    return None


def changes_after(data: bytes, base_length: int) -> str | None:
    """What the revisions after the one ending at `base_length` add beyond signing its fields, or None.

    Each later revision either signs one of the fields already there (pyHanko's difference analysis,
    letting the signing application set the signed widget's /M, /AP and /F) or adds validation data
    (DSS, document timestamps) and nothing else. New fields, widgets and annotations are named with
    their page.
    """
    reader = open_reader(data)
    base = _base_revision(reader, open_reader(data[:base_length]), base_length)
    if base is None:
        return "its revisions do not build on the generated document"
    signatures = embedded_signatures(reader)
    signed_in = {embedded.signed_revision: embedded.field_name for embedded in signatures
                 if embedded.sig_object.get("/Type") != "/DocTimeStamp"}  # timestamps are validation data
    signers = {embedded.field_name: _common_name(embedded) for embedded in signatures}
    before = _surface(reader.get_historical_resolver(base))
    total = reader.xrefs.total_revisions
    for revision in range(base + 1, total):
        resolver = reader.get_historical_resolver(revision)
        added = _added(before, _surface(resolver), signers)
        if added:
            return added
        problem = _review(reader, revision, signed_in.get(revision))
        if problem:
            where = "after the last signature" if revision > max(signed_in, default=base) else (
                f"in revision {revision + 1} of {total}")
            return f"{problem} ({where})"
    return None


def _base_revision(reader, base_reader, base_length: int) -> int | None:
    """The revision of `reader` that is the last of `base_reader`, when all before it are the base's too."""
    def starts(xrefs) -> list[int]:
        return [xrefs.get_xref_container_info(i).start_location for i in range(xrefs.total_revisions)]

    base_starts, all_starts = starts(base_reader.xrefs), starts(reader.xrefs)
    count = len(base_starts)
    if all_starts[:count] != base_starts or any(start < base_length for start in all_starts[count:]):
        return None
    return count - 1


class _Surface:
    """What a revision shows: its fields (name -> dictionary) and each page's annotations (key -> dict)."""

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.annotations: list[dict[object, object]] = []

    def page_of(self, key: object) -> int | None:
        return next((page for page, found in enumerate(self.annotations) if key in found), None)


def _get(dictionary, key: str):
    """`dictionary[key]` resolved, or None when it is absent or `dictionary` is not a dictionary."""
    from pyhanko.pdf_utils import generic

    if isinstance(dictionary, generic.DictionaryObject) and key in dictionary:
        return dictionary[key]
    return None


def _key(value) -> object:
    """An annotation's identity: its reference, or the object itself when it is direct."""
    from pyhanko.pdf_utils import generic

    return value.reference if isinstance(value, generic.IndirectObject) else id(value)


def _surface(resolver) -> _Surface:
    surface = _Surface()
    for raw in _pages(resolver.root.raw_get("/Pages")):
        page = raw.get_object()
        annots = _get(page, "/Annots") or []
        surface.annotations.append({_key(raw): raw.get_object() for raw in _items(annots)})
    form = _get(resolver.root, "/AcroForm")
    fields = _get(form, "/Fields") if form is not None else None
    stack = [("", raw) for raw in _items(fields or [])]
    while stack and len(surface.fields) < MAX_NODES:
        parent, raw = stack.pop()
        field = raw.get_object()
        name = f"{parent}.{field['/T']}" if parent and "/T" in field else str(_get(field, "/T") or parent)
        surface.fields[name] = (_key(raw), field)
        stack += [(name, kid) for kid in _items(_get(field, "/Kids") or []) if "/T" in kid.get_object()]
    return surface


def _items(array) -> list:
    array = array.get_object() if hasattr(array, "get_object") else array
    return list(array)[:MAX_NODES] if isinstance(array, list) else []


def _pages(root) -> list:
    """The pages in order, as their references (bounded; a cycle ends the walk)."""
    found, stack, seen = [], [root] if root is not None else [], set()
    while stack and len(found) < MAX_NODES:
        raw = stack.pop()
        if _key(raw) in seen:
            continue
        seen.add(_key(raw))
        node = raw.get_object()
        if _get(node, "/Type") == "/Pages" or "/Kids" in node:
            stack += reversed(_items(_get(node, "/Kids") or []))
        else:
            found.append(raw)
    return found


def _visible(annotation) -> bool:
    from pyhanko.sign.diff_analysis.rules.form_field_rules import is_annot_visible

    return is_annot_visible(annotation)


def _validation_only(field) -> bool:
    """An invisible document timestamp: validation data, not a signature anyone sees."""
    from pyhanko.sign.diff_analysis.rules.form_field_rules import is_field_visible

    value = _get(field, "/V")
    return (value is not None and _get(value, "/Type") == "/DocTimeStamp"
            and not is_field_visible(field))


def _common_name(embedded) -> str:
    try:
        subject = embedded.signer_cert.subject
    except Exception:  # noqa: BLE001 - a signature without a readable certificate still has a field
        return "an unreadable certificate"
    return subject.native.get("common_name") or subject.human_friendly


def _added(before: _Surface, after: _Surface, signers: dict[str, str]) -> str | None:
    """The new field or annotation in `after`, named with its page, or None when there is none."""
    if len(after.annotations) != len(before.annotations):
        return f"the number of pages changed from {len(before.annotations)} to {len(after.annotations)}"
    for name, (key, field) in after.fields.items():
        if name in before.fields or _validation_only(field):
            continue
        page = after.page_of(key)
        kids = [k for k in _items(_get(field, "/Kids") or [])]
        page = page if page is not None else next(
            (after.page_of(_key(k)) for k in kids if after.page_of(_key(k)) is not None), None)
        kind = "signature field" if _get(field, "/FT") == "/Sig" else "form field"
        look = "with a visible appearance" if _visible(field) or any(_visible(k.get_object()) for k in kids) \
            else "without a visible appearance"
        state = f"signed by {signers.get(name, 'someone')}" if _get(field, "/V") is not None else "unsigned"
        return f"a new {kind} \"{name}\" {look} ({state}) was added{_on(page)}"
    for page, found in enumerate(after.annotations):
        for key, annotation in found.items():
            if key not in before.annotations[page] and not any(
                    key == field_key for field_key, _ in after.fields.values()):
                subtype = str(_get(annotation, "/Subtype") or "unknown").lstrip("/")
                return f"a new {subtype} annotation was added{_on(page)}"
        removed = [key for key in before.annotations[page] if key not in found]
        if removed:
            return f"an annotation was removed{_on(page)}"
    missing = [name for name in before.fields if name not in after.fields]
    if missing:
        return f"the field \"{missing[0]}\" was removed"
    return None


def _on(page: int | None) -> str:
    return f" on page {page + 1}" if page is not None else " (on no page)"


def _review(reader, revision: int, signed_field: str | None) -> str | None:
    """Why one revision is more than signing `signed_field` (or, unsigned, more than validation data)."""
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

    old, new = reader.get_historical_resolver(revision - 1), reader.get_historical_resolver(revision)
    _count_unused_numbers_as_new(old)
    try:
        policy = _signing_policy() if signed_field else _validation_data_policy()
        result = policy.apply(old, new)
    except SuspiciousModification as exc:
        ours = str(exc).startswith("it changes ")  # our own rules name what they refuse
        detail = (str(exc) if ours else _what_changed(new, revision)) or (str(exc).splitlines() or [""])[0]
        detail = detail or "an unexplained modification"
        if signed_field:
            return f"the revision that signs {signed_field} also changes the document: {detail}"
        return f"an update that no signature covers changes the document: {detail}"
    if result.modification_level > ModificationLevel.FORM_FILLING:
        return f"modification level {result.modification_level.name}, more than signing its fields"
    return None


def _what_changed(resolver, revision: int) -> str:
    """What `revision` writes that a reader sees: pages, their content, the document information; or ""."""
    written = {(ref.idnum, ref.generation) for ref in resolver.reader.xrefs.explicit_refs_in_revision(revision)}
    touched = []
    for number, raw in enumerate(_pages(resolver.root.raw_get("/Pages"))):
        page = raw.get_object()
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        resolved = contents.get_object() if hasattr(contents, "get_object") else contents
        parts = [contents] + (_items(resolved) if isinstance(resolved, list) else [])
        what = []
        if _ref(raw) in written:
            what.append("the page")
        if any(_ref(part) in written for part in parts if part is not None):
            what.append("its content")
        if what:
            touched.append(f"page {number + 1} ({', '.join(what)})")
    info = resolver.trailer_view.raw_get("/Info") if "/Info" in resolver.trailer_view else None
    if _ref(info) in written:
        touched.append("the document information (title, author, document id)")
    return f"it changes {', '.join(touched)}" if touched else ""


def _ref(value) -> tuple[int, int] | None:
    reference = getattr(value, "reference", None)
    return (reference.idnum, reference.generation) if reference is not None else None


def _count_unused_numbers_as_new(old) -> None:
    """Let `old` count an object number it does not use as a new object when a later revision uses it.

    pyHanko counts only numbers at or above the old revision's size as new, so an object a signing
    application writes at an unused lower number (poppler's pdfsig does, with a new generation of a
    number taken or a gap left free) looks like a change to an existing one. Such an object is new when
    the old revision neither holds nor refers to it.
    """
    assignable = old.is_ref_unassignable
    xrefs = old.reader.xrefs

    def unassignable(ref) -> bool:
        if assignable(ref):
            return True
        if xrefs.get_historical_ref(ref, old.revision) is not None:
            return False
        old._load_reverse_xref_cache()
        return not old._get_usages_of_ref(ref)

    old.is_ref_unassignable = unassignable


def _signing_policy():
    """pyHanko's rules for signing existing signature fields: no new fields, no other form fields.

    The first signature may set the form's /SigFlags; the signing application may date the widget (/M).
    """
    from pyhanko.sign.diff_analysis import (
        DEFAULT_DIFF_POLICY,
        FormUpdatingRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
    )
    from pyhanko.sign.diff_analysis.constants import (
        ACROFORM_EXEMPT_STRICT_COMPARISON,
        VALUE_UPDATE_KEYS,
    )

    field_rule = SigFieldModificationRule(value_update_keys=VALUE_UPDATE_KEYS | {"/M"})
    form_rule = FormUpdatingRule([field_rule],
                                 ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"})
    return StandardDiffPolicy(DEFAULT_DIFF_POLICY.global_rules, form_rule)


def _validation_data_policy():
    """Only validation data (DSS) and invisible document timestamps: pyHanko's LTA-level rules.

    The tools that add it also date the document (/ModDate and /Producer of the document information,
    the XMP metadata, which pyHanko checks for well-formed XML only); nothing else in the document
    information may change.
    """
    from pyhanko.sign.diff_analysis import (
        CatalogModificationRule,
        DSSCompareRule,
        FormUpdatingRule,
        MetadataUpdateRule,
        ModificationLevel,
        ObjectStreamRule,
        SigFieldCreationRule,
        SigFieldModificationRule,
        StandardDiffPolicy,
        XrefStreamRule,
    )

    rules = [CatalogModificationRule()] + [rule.as_qualified(ModificationLevel.LTA_UPDATES) for rule in (
        XrefStreamRule(), ObjectStreamRule(), DSSCompareRule(), MetadataUpdateRule(), _dates_only_info_rule())]
    form_rule = FormUpdatingRule([SigFieldCreationRule(), SigFieldModificationRule()])
    return _AtMost(StandardDiffPolicy(rules, form_rule, ignore_orphaned_objects=False))


def _dates_only_info_rule():
    """pyHanko's rule for the document information, refusing changes other than its dates and producer."""
    from pyhanko.sign.diff_analysis import DocInfoRule, SuspiciousModification

    class DatesOnlyInfoRule(DocInfoRule):
        def apply(self, old, new):
            before, after = _get(old.trailer_view, "/Info"), _get(new.trailer_view, "/Info")
            keys = set(before or {}) | set(after or {})
            changed = sorted(k for k in keys - {"/ModDate", "/Producer"}
                             if (before or {}).get(k) != (after or {}).get(k))
            if changed:
                raise SuspiciousModification(f"it changes the document information ({', '.join(changed)})")
            yield from super().apply(old, new)

    return DatesOnlyInfoRule()


class _AtMost:
    """A policy whose result above LTA_UPDATES (a visible field, a signature) is a suspicious change."""

    def __init__(self, policy) -> None:
        self.policy = policy

    def apply(self, old, new):
        from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

        result = self.policy.apply(old, new)
        if result.modification_level > ModificationLevel.LTA_UPDATES:
            raise SuspiciousModification(f"modification level {result.modification_level.name}")
        return result
