"""The mapping file of `kam import`: which export file is which table, which column is which
field, the system's name, the date formats, the currency and the stage values. Validated by
mapping.schema.json, then for what a schema cannot say (a field the table kind has not, an
account key that is a display name)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.paths import display_path
from kam_review.source.schema_errors import make_validator, schema_errors
from kam_review.source.yamlsource import read_yaml

SCHEMA_FILE = Path(__file__).with_name("mapping.schema.json")

# The fields of each table kind. `key`, `account` and `opportunity` are the keys that tie
# rows together: an account's (or a deal's) key in the system, never guessed from a header.
FIELDS: dict[str, tuple[str, ...]] = {
    "accounts": ("key", "id", "name", "owner", "team", "industry", "customer_since",
                 "currency"),
    "contacts": ("account", "name", "title", "level", "roles", "last_contact"),
    "opportunities": ("account", "key", "id", "name", "stage", "stage_since", "value",
                      "probability", "expected_close", "closed_on", "lost_on", "loss_reason",
                      "product_line"),
    "stage_history": ("opportunity", "stage", "entered"),
    "revenue_lines": ("account", "date", "revenue", "cost", "units"),
    "quarters": ("account", "quarter", "revenue", "cost", "units"),
    "activities": ("account", "date", "kind", "with", "summary"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "accounts": ("key",),
    "contacts": ("account", "name"),
    "opportunities": ("account", "key", "name", "stage"),
    "stage_history": ("opportunity", "stage", "entered"),
    "revenue_lines": ("account", "date", "revenue"),
    "quarters": ("account", "quarter"),
    "activities": ("account", "date", "kind"),
}
# Headers that name no one field: whose name, which owner, which record's id? Used only
# where a mapping says so under `columns`.
AMBIGUOUS = frozenset({"name", "owner", "record id", "名称", "负责人", "记录 id", "记录id"})
# Display names: what people read, edit and spell two ways. Never an account's key.
DISPLAY_NAMES = frozenset({
    "name", "account name", "company name", "company", "customer", "customer name",
    "accountname", "dealname", "deal name", "full name", "姓名", "交易名称",
    "名称", "客户名称", "公司名称", "客户", "公司", "name__c"})


def normalised(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class TableSpec:
    file: str  # a shell pattern matched against the export's file name
    kind: str
    columns: dict[str, str]
    sheet: str | None = None


@dataclass(frozen=True)
class Mapping:
    path: Path
    system: str
    tables: tuple[TableSpec, ...]
    currency: str | None = None
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    encoding: str = "utf-8-sig"
    percent: bool = False
    separator: str = ";"
    stages: dict[str, str] | None = None
    values: dict[str, dict[str, str]] | None = None

    def spec_for(self, export: Path) -> TableSpec | None:
        """The table an export file is, by its name (the first pattern that matches)."""
        return next((spec for spec in self.tables if export.match(spec.file)), None)


@cache
def _validator() -> Any:
    return make_validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def load_mapping(path: Path) -> tuple[Mapping | None, list[InputError]]:
    name = display_path(path)
    document = read_yaml(path, shown_as=name)
    if document.errors:
        return None, list(document.errors)
    errors = schema_errors(_validator(), document.value, name, document)
    if errors:
        return None, errors
    value: dict[str, Any] = document.value
    for index, table in enumerate(value["tables"]):
        at = ("tables", index)
        for field, header in table.get("columns", {}).items():
            line, column = document.locate((*at, "columns", field))
            if field not in FIELDS[table["kind"]]:
                errors.append(InputError(
                    name, line, column, f"tables[{index}].columns.{field}",
                    f"a {table['kind']} table has no field {field}; its fields: "
                    + ", ".join(FIELDS[table["kind"]])))
            elif field in ("key", "account") and (
                    normalised(header) in DISPLAY_NAMES
                    or header == table.get("columns", {}).get("name")):
                errors.append(InputError(
                    name, line, column, f"tables[{index}].columns.{field}",
                    f"'{header}' is a display name, not a key: names change and repeat; map "
                    "the system's id column (Id, AccountId, Record ID ...)"))
    if errors:
        return None, errors
    formats = value.get("date_format", "%Y-%m-%d")
    return Mapping(
        path=path, system=value["system"], currency=value.get("currency"),
        date_formats=(formats,) if isinstance(formats, str) else tuple(formats),
        encoding=value.get("encoding", "utf-8-sig"),
        percent=value.get("probability") == "percent",
        separator=value.get("list_separator", ";"),
        stages=value.get("stages"), values=value.get("values"),
        tables=tuple(TableSpec(t["file"], t["kind"], dict(t.get("columns", {})), t.get("sheet"))
                     for t in value["tables"]),
    ), []


def resolve_columns(spec: TableSpec, headers: list[str], file: str
                    ) -> tuple[dict[str, int], list[InputError]]:
    """Each mapped field's column index. A column is never guessed from its header: a
    required field the mapping leaves out is an error, which points at an ambiguous header
    (`Name`, `Owner`, `Record ID`) the user may have meant; errors name the file, row 1 and
    the column."""
    errors: list[InputError] = []
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header in seen and header in spec.columns.values():
            errors.append(InputError(file, 1, index + 1, header,
                                     f"the column '{header}' appears twice: which one is meant?"))
        seen.setdefault(header, index)
    found: dict[str, int] = {}
    for field, header in spec.columns.items():
        if header in seen:
            found[field] = seen[header]
        else:
            errors.append(InputError(file, 1, 1, header, f"no column '{header}' (mapped to "
                                     f"{field}); the file's columns: " + ", ".join(headers)))
    for field in REQUIRED[spec.kind]:
        if field in found or field in spec.columns:
            continue
        ambiguous = [header for header in headers if normalised(header) in AMBIGUOUS]
        hint = (f"; '{ambiguous[0]}' is ambiguous (whose {normalised(ambiguous[0])}?): map it "
                f"explicitly, columns: {{{field}: {ambiguous[0]}}}") if ambiguous else ""
        errors.append(InputError(file, 1, 1, field,
                                 f"no column for {field} in this {spec.kind} table{hint}"))
    return found, errors
