"""mspdocs: an MSP's customer agreements and their evidence, from a reviewed clause library.

The library API, loaded on first use so that `mspdocs --help` stays fast:

    import mspdocs
    written = mspdocs.generate("agreement", ["pinecrest-law"], workspace="acme-msp")
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it (relative to this package)
_API = {
    "generate": ".batch",
    "Generated": ".evidence.publish",
    "generate_clause_book": ".library.clausebook",
    "current_documents": ".evidence.current",
    "add_signed": ".evidence.received",
    "verify": ".evidence.verification",
    "Workspace": ".workspace.folder",
    "open_workspace": ".workspace.folder",
    "init_workspace": ".workspace.folder",
    "list_customers": ".workspace.customers",
    "lint": ".library.lint",
    "approve_clauses": ".library.report",
    "run_audit": ".audit.portfolio",
    "CustomerAudit": ".audit.portfolio",
    "assemble_binder": ".audit.binder",
    "import_customers": ".workspace.psa",
    "MspdocsError": ".errors",
    "InputError": ".errors",
    "RenderError": ".errors",
    "ProblemsFound": ".errors",
    "MultipleErrors": ".errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'mspdocs' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name], __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
