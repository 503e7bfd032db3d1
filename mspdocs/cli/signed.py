"""`mspdocs signed`: the signed copies customers return, and the certificates trusted to sign them."""

from __future__ import annotations

import datetime as dt

import click

from .common import (
    DATE,
    emit,
    format_option,
    shown,
    table,
    workspace_of,
    workspace_option,
)


@click.group()
def signed() -> None:
    """Record the signed copies customers return, and whose signing certificates to trust.

    \b
    Example:
      mspdocs signed trust add customer-ca.pem
      mspdocs signed add returned.pdf
    """


@signed.command("add")
@workspace_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("completion", type=click.Path(dir_okay=False), required=False)
@click.option("--document", "document_id", metavar="DOC_ID",
              help="The document the file belongs to (default: the id in the PDF's metadata).")
@click.option("--platform", is_flag=True,
              help="FILE is an e-signature platform's copy (DocuSign, Acrobat Sign, Dropbox Sign).")
@click.option("--signer", metavar="NAME", help="Scanned wet-ink copy: who signed it (with --signed-on).")
@click.option("--signed-on", "signed_on", type=DATE, help="Scanned wet-ink copy: when (YYYY-MM-DD).")
@click.option("--by", metavar="NAME", help="Who records, for the register (default: $USER).")
@format_option
@click.pass_context
def signed_add(ctx: click.Context, file: str, completion: str | None, document_id: str | None, platform: bool,
               signer: str | None, signed_on: dt.date | None, by: str | None, output_format: str) -> None:
    """Check a signed FILE against the document generated, store it and record it; exit 1 if rejected.

    A digitally signed PDF must start with exactly the PDF that was generated; after it, only
    signatures in the fields mspdocs generated and validation data (DSS, timestamps) may follow: no new
    field, widget, annotation, page content or unsigned update, nothing after the last %%EOF, and the
    MSP's field only signed by the MSP. It is recorded as "digital signature, trusted" when the
    customer's certificate chains to the trust store (`signed trust add`) and names the customer's
    signatory (email or name); otherwise at a lower assurance that says what would raise it.

    With --platform, FILE is the re-rendered copy an e-signature platform returns: its signature must
    cover the whole file and every page's text must equal the generated PDF's, apart from the
    platform's stamp lines ([platforms] in mspdocs.toml). COMPLETION is the platform's completion
    certificate when it is a separate file; one attached to FILE is stored as well.

    A scanned wet-ink copy needs --document, --signer and --signed-on, and is recorded as lower assurance.

    \b
    Example:
      mspdocs signed add returned/AGR-7Q2M9XKD-signed.pdf
      mspdocs signed add docusign.pdf --platform certificate-of-completion.pdf
      mspdocs signed add scan.pdf --document AGR-7Q2M9XKD --signer "Pat Doe" --signed-on 2026-12-01
    """
    from ..evidence.received import add_signed

    receipt = add_signed(file, document_id, signer, signed_on, by, workspace=workspace_of(ctx), platform=platform,
                         completion=completion)
    envelope = f", envelope {receipt.envelope_id}" if receipt.envelope_id else ""
    line = (f"recorded {receipt.document_id}: {receipt.assurance}, signed by {receipt.signer}{envelope} "
            f"{receipt.signed_when} (stored {shown(receipt.path)})")
    emit(output_format, receipt.as_dict(), [line] + [f"stored completion certificate {path}"
                                                     for path in receipt.completion])


@signed.group("trust")
def signed_trust() -> None:
    """The root certificates that customers' signing certificates must chain to.

    \b
    Example:
      mspdocs signed trust add customer-ca.pem
    """


@signed_trust.command("add")
@workspace_option
@click.argument("cert", type=click.Path(dir_okay=False))
@click.option("--leaf", is_flag=True, help="Trust CERT itself although it is not a CA certificate.")
@format_option
@click.pass_context
def signed_trust_add(ctx: click.Context, cert: str, leaf: bool, output_format: str) -> None:
    """Trust the CA certificate CERT (PEM or DER) as a root for signatures.

    Only certificates that may issue others (basicConstraints CA) are accepted, unless --leaf is given
    to trust one signing certificate alone.

    \b
    Example:
      mspdocs signed trust add customer-ca.pem
      mspdocs signed trust add jane-roe.pem --leaf
    """
    from ..evidence.trust import add_trusted

    trusted = add_trusted(cert, workspace_of(ctx), leaf=leaf)
    state = "trusted" if trusted.added else "already trusted"
    emit(output_format, trusted.as_dict(),
          [f"{state}: {trusted.subject} (SHA-256 {trusted.fingerprint})"])


@signed_trust.command("list")
@workspace_option
@format_option
@click.pass_context
def signed_trust_list(ctx: click.Context, output_format: str) -> None:
    """List the trusted certificates: subject, CA or leaf, expiry and SHA-256.

    \b
    Example:
      mspdocs signed trust list
    """
    from ..evidence.trust import list_trusted

    trusted = list_trusted(workspace_of(ctx))
    rows = [{"subject": t.subject, "kind": "CA" if t.ca else "leaf", "expires": t.expires,
             "sha256": t.fingerprint} for t in trusted]
    emit(output_format, [t.as_dict() for t in trusted], table(rows, ["subject", "kind", "expires", "sha256"]))
    if not trusted:
        click.echo("the trust store is empty", err=True)


@signed_trust.command("remove")
@workspace_option
@click.argument("cert")
@format_option
@click.pass_context
def signed_trust_remove(ctx: click.Context, cert: str, output_format: str) -> None:
    """Stop trusting CERT: a certificate file, or the start (8+ characters) of its SHA-256.

    Copies recorded before keep the assurance they were recorded with.

    \b
    Example:
      mspdocs signed trust remove 3f5ae1c2
    """
    from ..evidence.trust import remove_trusted

    removed = remove_trusted(cert, workspace_of(ctx))
    emit(output_format, removed.as_dict(), [f"removed: {removed.subject} (SHA-256 {removed.fingerprint})"])

