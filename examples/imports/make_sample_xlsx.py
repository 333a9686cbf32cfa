"""Writes the .xlsx sample exports of the presets (made-up data, in each system's column
layout): salesforce/erp-revenue-by-quarter.xlsx, an ERP's net revenue and cost of sales per
account and quarter keyed by the Salesforce account Id, and fxiaoke/SalesOrderObj.xlsx,
Fxiaoke sales orders by API field name. Run it after changing the rows; the workbooks are
committed beside their mapping. The same rows always give the same bytes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
WORKBOOKS: dict[str, tuple[str, list[tuple[object, ...]]]] = {
    "salesforce/erp-revenue-by-quarter.xlsx": ("Revenue by quarter", [
        ("Salesforce Account Id", "Customer", "Fiscal Quarter", "Net Revenue", "Cost of Sales"),
        ("0015g00000XyfA1AAJ", "Xinyuan Food Processing", "2026-Q3", 610000, 476000),
        ("0015g00000Bch02AAB", "Beichen Vocational Education Group", "2026-Q3", 240000, 158000),
        ("0015g00000Kng03AAC", "Kangning Pharmaceutical Distribution", "2026-Q3", 3380000,
         2467000),
        ("0015g00000Qsh04AAD", "Qingshan Machine Tools", "2026-Q2", 180000, 126000),
        ("0015g00000Qsh04AAD", "Qingshan Machine Tools", "2026-Q3", 210000, 147000),
    ]),
    # order_time: milliseconds since 1970 (10:00 in China on the day).
    "fxiaoke/SalesOrderObj.xlsx": ("SalesOrderObj", [
        ("_id", "name", "account_id", "order_amount", "order_time", "order_status"),
        ("68d3f4a5b6c7d8e9f0a10001", "SO-2026-0703-01", "64f1a2b3c4d5e6f7a8b90001", 900000,
         1783044000000, "已确认"),
        ("68d3f4a5b6c7d8e9f0a10002", "SO-2026-0821-02", "64f1a2b3c4d5e6f7a8b90001", 1100000,
         1787277600000, "已确认"),
        ("68d3f4a5b6c7d8e9f0a10003", "SO-2026-0925-03", "64f1a2b3c4d5e6f7a8b90001", 750000,
         1790301600000, "已确认"),
        ("68d3f4a5b6c7d8e9f0a10004", "SO-2026-0715-04", "64f1a2b3c4d5e6f7a8b90002", 120000,
         1784080800000, "已确认"),
        ("68d3f4a5b6c7d8e9f0a10005", "SO-2026-0812-05", "64f1a2b3c4d5e6f7a8b90002", 95000,
         1786500000000, "已确认"),
        ("68d3f4a5b6c7d8e9f0a10006", "SO-2026-0920-06", "64f1a2b3c4d5e6f7a8b90002", 75000,
         1789869600000, "已确认"),
    ]),
}
# openpyxl stamps a workbook with the time it is written, and zip its members: both fixed.
FIXED = (2026, 10, 1, 0, 0, 0)


def write(path: Path, title: str, rows: list[tuple[object, ...]]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-10-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(name, date_time=FIXED), data,
                            compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    for name, (title, rows) in WORKBOOKS.items():
        write(HERE / name, title, rows)
