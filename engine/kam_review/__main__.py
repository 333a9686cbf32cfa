"""`python -m kam_review` runs the `kam` command."""

from .cli import main

main()
