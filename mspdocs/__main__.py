"""`python -m mspdocs`: the same as the `mspdocs` command."""

from .cli.main import main

main()
