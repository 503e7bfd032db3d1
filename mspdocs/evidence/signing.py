"""Signature fields on the signature blocks of a PDF, and the MSP's countersignature (PAdES, pyHanko)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, RenderError
from ..workspace.files import read_bytes

MSP_FIELD = "msp_signature"
CUSTOMER_FIELD = "customer_signature"
SIGNATURE_LABEL = "Signature:"
# Document kinds whose PDFs carry signature fields.
SIGNED_KINDS = frozenset({"agreement", "risk-letter", "baa", "insurance-notice"})
DEFAULT_PASSWORD_ENV = "MSPDOCS_P12_PASSWORD"
PKCS12_LIMIT = 1 << 20  # a certificate and its key; a larger file is not one
# The field covers the underline after the label and the space above it, up to the row above
# (in points from the start of the label's baseline).
FIELD_LEFT = 48
FIELD_RIGHT = 208
FIELD_HEIGHT = 27
# The fonts the README's set-up installs; the first found draws the MSP signature's appearance.
APPEARANCE_FONTS = ("/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf",
                    "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
                    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


@dataclass(frozen=True)
class SignatureLine:
    """Where a "Signature:" label is drawn: page index and the start of its baseline, in points."""

    page: int
    x: float
    y: float


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def signature_lines(data: bytes) -> list[SignatureLine]:
    """The "Signature:" labels of the last page that has any (signature blocks close a document)."""
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    for index in reversed(range(len(pages))):
        found: list[SignatureLine] = []

        def visit(text: str, cm: list[float], tm: list[float], *_: Any, index: int = index,
                  found: list[SignatureLine] = found) -> None:
            if text.lstrip().startswith(SIGNATURE_LABEL):
                matrix = _multiply(tm, cm)
                found.append(SignatureLine(index, matrix[4], matrix[5]))

        pages[index].extract_text(visitor_text=visit)
        if found:
            return found
    return []


def field_boxes(data: bytes) -> dict[str, tuple[int, tuple[int, int, int, int]]]:
    """(page, box) of the MSP's and the customer's field: the last block's left and right column."""
    row = signature_lines(data)
    if len(row) < 2:
        raise RenderError("the PDF has no signature block with two \"Signature:\" lines")
    last_page = row[0].page
    left, right = min(row, key=lambda line: line.x), max(row, key=lambda line: line.x)
    if left == right:
        raise RenderError("the signature block does not have two columns")

    def box(line: SignatureLine) -> tuple[int, int, int, int]:
        x, y = round(line.x), round(line.y)
        return (x + FIELD_LEFT, y, x + FIELD_RIGHT, y + FIELD_HEIGHT)

    return {MSP_FIELD: (last_page, box(left)), CUSTOMER_FIELD: (last_page, box(right))}


def add_signature_fields(data: bytes) -> bytes:
    """The PDF with empty signature fields for the MSP and the customer on its signature block."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    for name, (page, box) in field_boxes(data).items():
        append_signature_field(writer, SigFieldSpec(sig_field_name=name, on_page=page, box=box))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def signing_password(settings: dict[str, str], ask: Callable[[str], str] | None) -> str:
    """The PKCS#12 password: from the environment variable the profile names, else asked for."""
    variable = settings.get("password_env") or DEFAULT_PASSWORD_ENV
    password = os.environ.get(variable)
    if password is not None:
        return password
    if ask is None:
        raise InputError(f"the signing certificate needs a password: set {variable}")
    return ask(f"Password for {Path(settings['pkcs12']).name}")


def load_signer(pkcs12: Path, password: str):
    """The MSP's signer from its PKCS#12 file; a clear error for a missing file or a wrong password."""
    from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format
    from pyhanko.sign.signers import SimpleSigner

    if not pkcs12.exists():
        raise InputError("the signing certificate file does not exist", path=pkcs12, field="signing.pkcs12")
    data, passphrase = read_bytes(pkcs12, PKCS12_LIMIT), password.encode("utf-8")
    try:  # checked here first: pyHanko logs a traceback for a wrong password before it gives up
        key, _, _ = pkcs12_format.load_key_and_certificates(data, passphrase)
        signer = SimpleSigner.load_pkcs12_data(data, [], passphrase=passphrase) if key is not None else None
    except (ValueError, TypeError):
        signer = None
    if signer is None:
        raise InputError("cannot open the signing certificate: wrong password or not a PKCS#12 file",
                         path=pkcs12, field="signing.pkcs12")
    return signer


def appearance_font() -> Path:
    """The TrueType font the signature's appearance embeds (PDF/A allows no other)."""
    for candidate in APPEARANCE_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise RenderError("no font to draw the MSP's signature with: install fonts-crosextra-carlito "
                      f"(looked for {', '.join(APPEARANCE_FONTS)})")


def appearance_style():
    """The MSP signature's appearance: signer and time in an embedded font, opaque, no background art.

    pyHanko's default draws its stamp art through a transparency group with a standard (not embedded)
    font, which PDF/A-2b forbids.
    """
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(stamp_text="Signed by %(signer)s\n%(ts)s", border_width=1, background=None,
                          timestamp_format="%Y-%m-%d %H:%M %Z",
                          text_box_style=TextBoxStyle(font=_embedded_font(appearance_font())))


def _embedded_font(path: Path):
    """pyHanko's embedded-font engine, measuring in the 1000 units to the em that PDF widths use.

    pyHanko writes a font's glyph widths in the font's own units; for the common TrueType fonts with
    2048 units to the em that spreads every letter to twice its width.
    """
    from pyhanko.pdf_utils.font.opentype import (
        GlyphAccumulator,
        GlyphAccumulatorFactory,
    )

    class ThousandUnitGlyphs(GlyphAccumulator):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.scale = 1000 / self.units_per_em
            self.hb_font.scale = (1000, 1000)  # HarfBuzz's positions in the same units
            self.units_per_em = 1000

        def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
            if glyph_id not in self._glyphs:
                cid, width = super()._get_cid_and_width(glyph_id)
                self._glyphs[glyph_id] = (cid, round(width * self.scale))
            return self._glyphs[glyph_id]

    class Factory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return ThousandUnitGlyphs(writer=writer, font_handle=open(self.font_file, "rb"),  # noqa: SIM115
                                      font_size=self.font_size, obj_stream=obj_stream)

    return Factory(str(path))


def countersign(data: bytes, signer) -> bytes:
    """The PDF with the MSP's field signed (PAdES baseline), appended as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    metadata = PdfSignatureMetadata(field_name=MSP_FIELD, subfilter=SigSeedSubFilter.PADES,
                                    reason="Countersigned by the service provider")
    output = io.BytesIO()
    PdfSigner(metadata, signer, stamp_style=appearance_style()).sign_pdf(
        writer, existing_fields_only=True, output=output)
    return output.getvalue()


def msp_signer(workspace: Any, kind: str, ask: Callable[[str], str] | None = None):
    """The MSP's signer named by the workspace profile's [signing] section, its password resolved."""
    from ..workspace.folder import PROFILE_NAME

    if kind not in SIGNED_KINDS:
        *first, last = sorted(SIGNED_KINDS)
        raise InputError(f"--sign applies to {', '.join(first)} and {last} PDFs, not {kind}")
    settings = workspace.profile.signing
    if not settings:
        raise InputError("countersigning needs the MSP's certificate: add [signing] pkcs12 = \"FILE.p12\" "
                         "to the profile", path=workspace.root / PROFILE_NAME)
    path = workspace.root / settings["pkcs12"]
    if not path.exists():
        raise InputError("the signing certificate file does not exist", path=path, field="signing.pkcs12")
    return load_signer(path, signing_password(settings, ask))


def finisher(kind: str, signer=None) -> Callable[[bytes, Any], bytes]:
    """The post-processing of each PDF of `kind`: signature fields, then the countersignature if any."""
    def finish(data: bytes, source: Any) -> bytes:
        if kind not in SIGNED_KINDS:
            return data
        try:
            data = add_signature_fields(data)
        except RenderError as exc:
            exc.message = f"{source.document_id}: {exc.message}"
            raise
        return countersign(data, signer) if signer is not None else data

    return finish
