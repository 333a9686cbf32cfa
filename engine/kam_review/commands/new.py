"""`kam new`: a valid, commented account file to start from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.output.scaffold import new_account
from kam_review.text_safety import terminal_text


def new(account_id: str, accounts: Path, as_of: date) -> None:
    path = new_account(account_id, accounts, as_of)
    common.echo(f"wrote {terminal_text(str(path))}\n")
