"""Regenerate `shared/licensing/catalogue.json.gz` from Microsoft's licensing service-plan table.

Usage: `python -m dev.build_catalogue path/to/licensing-service-plans.csv`.

The source is Microsoft's "Product names and service plan identifiers for licensing" CSV
(learn.microsoft.com/entra/identity/users/licensing-service-plan-reference): one row per (SKU, service
plan), UTF-8 with a BOM, values with stray trailing whitespace. The output is compact and deterministic
(sorted, gzip without a timestamp) so a refresh shows up as a real diff only when Microsoft changed the
table.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET = REPO_ROOT / "shared" / "licensing" / "catalogue.json.gz"

# Output shape: {"skus": {sku_id: [string_id, display_name, [[plan_id, plan_name, friendly_name], ...]]}}
SkuEntry = tuple[str, str, list[list[str]]]


def _clean(value: str) -> str:
    # The published file carries trailing tabs, spaces and non-breaking spaces.
    return value.strip().strip("\u00a0").strip()


def read_table(source: Path) -> dict[str, SkuEntry]:
    skus: dict[str, SkuEntry] = {}
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            sku_id = _clean(row["GUID"]).lower()
            entry = skus.setdefault(
                sku_id, (_clean(row["String_Id"]), _clean(row["Product_Display_Name"]), [])
            )
            plan_id = _clean(row["Service_Plan_Id"]).lower()
            if all(plan[0] != plan_id for plan in entry[2]):
                entry[2].append(
                    [
                        plan_id,
                        _clean(row["Service_Plan_Name"]),
                        _clean(row["Service_Plans_Included_Friendly_Names"]),
                    ]
                )
    for _, _, plans in skus.values():
        plans.sort()
    return dict(sorted(skus.items()))


def write_catalogue(skus: dict[str, SkuEntry], target: Path) -> int:
    text = json.dumps({"skus": skus}, separators=(",", ":"), ensure_ascii=False)
    payload = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    target.write_bytes(payload)
    return len(payload)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m dev.build_catalogue path/to/licensing-service-plans.csv", file=sys.stderr)
        return 2
    source = Path(argv[1])
    skus = read_table(source)
    size = write_catalogue(skus, TARGET)
    print(f"{len(skus)} SKUs -> {TARGET.relative_to(REPO_ROOT)} ({size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
