"""`python -m tcap_kg` runs the `tcap` command line."""

from .cli import main

main()
