"""What a document carries to point a copy back to its register entry: its id and manifest hash."""

from __future__ import annotations

from typing import Any

from .register import manifest_hash


def provenance_properties(manifest: dict[str, Any]) -> dict[str, str]:
    """The custom document properties that point a copy of the document to its register entry."""
    return {"DocumentId": manifest["document_id"], "ManifestSha256": manifest_hash(manifest)}


def provenance_context(context: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """The context's `document` with `manifest`: the short manifest hash that footers print."""
    from ..render.environment import to_records

    document = dict(context["document"], manifest=manifest_hash(manifest)[:16])
    return {"document": to_records(document, "document")}
