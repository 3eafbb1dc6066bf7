"""Seed policy data from inventory/reference/*.csv (sources in its README).

Used by a data migration, so it takes the model classes as arguments (historical models there).
Loading is idempotent: existing rows are left as the national authority may have changed them.
"""

import csv
from datetime import date
from pathlib import Path

from inventory.rules import legal_hazard_codes_from_rows, mixing_matrix_from_rows

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

DEFAULT_POLICY = {
    "backdate_days": (30, "How many days in the past a voucher may be dated (DESIGN.md §7)."),
    "hd_1_2_threshold_kg": (
        "0.136",
        "HE per item above which an HD 1.2 type is 1.2.1 (IATG 2021: 0.136 kg).",
    ),
    "hd_1_6_counts_as": ("1.1", "How HD 1.6 is assessed for licence limits (DESIGN.md §4)."),
    "forcing_neq_per_item_kg": (
        "5",
        "1.2.1 items above this NEQ per item force the storehouse to be assessed as 1.1.",
    ),
    "returns_await_classification": (
        True,
        "Returns come back as a child lot of the returned lot in condition K (returns awaiting "
        "classification) until an inspector classifies them (DESIGN.md §6); off: into the lot.",
    ),
}


def read_rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(*, HazardCode, ConditionCode, MixingMatrixVersion, MixingCell, PolicySetting) -> None:
    for code in sorted(legal_hazard_codes_from_rows(read_rows("hazard_codes.csv"))):
        HazardCode.objects.get_or_create(code=code)
    # The `isolate` column came later (migration 0008): the seed migration's model lacks it.
    has_isolate = any(field.name == "isolate" for field in ConditionCode._meta.get_fields())
    for row in read_rows("condition_codes.csv"):
        defaults = {"availability": row["availability"], "meaning": row["meaning"]}
        if has_isolate:
            defaults["isolate"] = row["isolate"] == "yes"
        ConditionCode.objects.get_or_create(code=row["code"], defaults=defaults)
    if not MixingMatrixVersion.objects.exists():
        matrix = mixing_matrix_from_rows(read_rows("mixing_matrix.csv"))
        version = MixingMatrixVersion.objects.create(
            version=1,
            effective_from=date(2021, 1, 1),
            source="AASTP-1 (2006) Table 6; IATG 01.50 §7.1",
        )
        MixingCell.objects.bulk_create(
            MixingCell(version=version, group_a=a, group_b=b, value=value)
            for (a, b), value in sorted(matrix.cells.items())
        )
    for key, (value, description) in DEFAULT_POLICY.items():
        PolicySetting.objects.get_or_create(
            key=key, defaults={"value": value, "description": description}
        )
