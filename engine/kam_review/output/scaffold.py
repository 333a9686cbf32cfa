"""`kam new`: a valid, commented account file to start from."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from string import Template

from kam_review.errors import KamError
from kam_review.output.input_files import create_input_file
from kam_review.source.accounts import SCHEMA_FILE
from kam_review.source.model import clip
from kam_review.text_safety import terminal_text

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

TEMPLATE = Path(__file__).with_name("account-template.yaml")


def new_account(account_id: str, folder: Path, today: date) -> Path:
    # fullmatch: `$` would let a final newline through, into the file's name.
    if not _SLUG.fullmatch(account_id):
        raise KamError(f"'{clip(terminal_text(account_id))}' is not a valid id: use lowercase "
                       "letters, digits and single dashes, like hanhai-retail")
    schema = SCHEMA_FILE.resolve().as_uri()
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        schema=schema, account_id=account_id, name=account_id.replace("-", " ").title(),
        today=today.isoformat(), quarter=f"{today.year}-Q{(today.month - 1) // 3 + 1}",
        year=today.year,
        due=date(today.year + 1, 6, 30).isoformat(),
        action_due=(today + timedelta(days=30)).isoformat())
    return create_input_file(folder, f"{account_id}.yaml", text)
