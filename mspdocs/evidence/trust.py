"""The workspace's trust store: the root certificates a customer's signing certificate must chain to."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..workspace.files import read_bytes
from ..workspace.writer import write_new

MAX_CERT_BYTES = 1 << 20


@dataclass(frozen=True)
class TrustedCert:
    """A certificate in the trust store."""

    subject: str
    fingerprint: str
    path: Path
    added: bool  # False when it was already there
    ca: bool = True
    expires: str = ""

    def as_dict(self) -> dict[str, str | bool]:
        return {"subject": self.subject, "certificate_sha256": self.fingerprint, "path": str(self.path),
                "added": self.added, "ca": self.ca, "expires": self.expires or None}


def parse_certificate(data: bytes, path: Path | str):
    """An X.509 certificate from PEM or DER bytes, or an InputError naming the file."""
    from cryptography import x509

    loaders = (x509.load_pem_x509_certificate, x509.load_der_x509_certificate)
    for load in loaders if data.lstrip().startswith(b"-----BEGIN") else loaders[::-1]:
        try:
            return load(data)
        except ValueError:
            continue
    raise InputError("not an X.509 certificate (PEM or DER)", path=path)


def is_ca(cert) -> bool:
    """Whether the certificate may issue others (basicConstraints CA:TRUE)."""
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        return False


def add_trusted(cert_file: str | Path, workspace: str | Path | None = None, leaf: bool = False) -> TrustedCert:
    """Copy a CA certificate (any certificate with `leaf`) into `<workspace>/trust/<sha256>.pem`.

    Adding one twice is harmless.
    """
    from cryptography.hazmat.primitives import serialization

    from ..workspace.folder import open_workspace

    space = open_workspace(workspace)
    source = Path(cert_file)
    if not source.is_file():
        raise InputError("no such certificate file", path=source)
    if source.stat().st_size > MAX_CERT_BYTES:
        raise InputError("the file is too large to be a certificate", path=source)
    cert = parse_certificate(read_bytes(source), source)
    if not leaf and not is_ca(cert):
        raise InputError(f"{cert.subject.rfc4514_string()} is not a CA certificate (no basicConstraints CA); "
                         "trust the CA that issued it, or give --leaf to trust this one certificate alone",
                         path=source)
    der = cert.public_bytes(serialization.Encoding.DER)
    fingerprint = hashlib.sha256(der).hexdigest()
    target = space.path("trust") / f"{fingerprint}.pem"
    subject = cert.subject.rfc4514_string()
    if target.exists():
        return TrustedCert(subject, fingerprint, target, added=False, ca=is_ca(cert))
    write_new(target, cert.public_bytes(serialization.Encoding.PEM))
    return TrustedCert(subject, fingerprint, target, added=True, ca=is_ca(cert))


def list_trusted(workspace: str | Path | None = None) -> list[TrustedCert]:
    """Every certificate of the trust store, by subject."""
    from ..workspace.folder import open_workspace

    space = open_workspace(workspace)
    folder = space.path("trust")
    found = []
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        cert = parse_certificate(read_bytes(path), path)
        found.append(TrustedCert(cert.subject.rfc4514_string(), path.stem, path, added=False,
                                 ca=is_ca(cert), expires=cert.not_valid_after_utc.date().isoformat()))
    return sorted(found, key=lambda trusted: trusted.subject)


def remove_trusted(which: str, workspace: str | Path | None = None) -> TrustedCert:
    """Remove from the trust store the certificate whose SHA-256 starts with `which` or whose file it is.

    Signed copies recorded earlier keep the assurance recorded; later ones no longer chain to it.
    """
    trusted = list_trusted(workspace)
    wanted = which.strip().lower()
    if Path(which).is_file():
        from cryptography.hazmat.primitives import serialization

        cert = parse_certificate(read_bytes(Path(which)), which)
        wanted = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    matches = [t for t in trusted if len(wanted) >= 8 and t.fingerprint.startswith(wanted)]
    if len(matches) != 1:
        problem = "matches no certificate of" if not matches else "matches more than one certificate in"
        raise InputError(f"{which} {problem} the trust store (give a certificate file or at least 8 "
                         "characters of its SHA-256; see `mspdocs signed trust list`)")
    matches[0].path.unlink()
    return matches[0]


def trust_roots(workspace) -> list[bytes]:
    """Every certificate of the trust store, DER-encoded (none when the store does not exist)."""
    from cryptography.hazmat.primitives import serialization

    folder = workspace.path("trust")
    if not folder.is_dir():
        return []
    return [parse_certificate(read_bytes(path), path).public_bytes(serialization.Encoding.DER)
            for path in sorted(folder.glob("*.pem"))]


def _comparable_name(name: str) -> str:
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


def _comparable_email(email: str) -> str:
    return unicodedata.normalize("NFC", email.strip()).casefold()


def signatory_mismatch(common_name: str | None, emails: tuple[str, ...] | list[str],
                       signatory: dict[str, str] | None) -> str | None:
    """Why a certificate does not name the customer's signatory, or None when it does.

    It does when one of its email addresses is the signatory's (case-insensitive) or its common name is
    the signatory's name (case and runs of whitespace aside). A trusted root vouches for who holds the
    certificate, not for whom that person may sign: another customer's CA is trusted for its own people.
    """
    named = f"signed by {common_name}" if common_name else "signed by a certificate without a common name"
    carried = f"{named}, {', '.join(f'<{email}>' for email in emails) or 'no email address'}"
    if signatory is None:
        return f"{carried}; the customer's record cannot be read to compare"
    email = _comparable_email(signatory.get("email", ""))
    if email and any(_comparable_email(found) == email for found in emails):
        return None
    name = _comparable_name(signatory.get("name", ""))
    if name and common_name is not None and _comparable_name(common_name) == name:
        return None
    return (f"{carried}; the record names {signatory.get('name', '')} <{signatory.get('email', '')}> "
            "as signatory")
