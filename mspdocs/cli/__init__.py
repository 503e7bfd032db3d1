"""The `mspdocs` command line (Click): one module per command group, over the library's functions."""

from .main import cli, main

__all__ = ["cli", "main"]
