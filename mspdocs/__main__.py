"""`python -m mspdocs`: the same as the `mspdocs` command."""

from .cli import main

main()
