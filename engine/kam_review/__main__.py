"""`python -m kam_review` runs the `kam` command."""

from kam_review.cli import main

main()
