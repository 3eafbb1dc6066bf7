"""Policy as data: read the national authority's current tables into the shapes rules.py takes."""

from datetime import date
from decimal import Decimal

from inventory.models import ConditionCode, MixingCell, MixingMatrixVersion, PolicySetting
from inventory.rules import MixingMatrix, StoragePolicy

DEFAULT_BACKDATE_DAYS = 30


def policy_values() -> dict:
    return dict(PolicySetting.objects.values_list("key", "value"))


def backdate_days(values: dict | None = None) -> int:
    values = policy_values() if values is None else values
    return int(values.get("backdate_days", DEFAULT_BACKDATE_DAYS))


def storage_policy(values: dict | None = None) -> StoragePolicy:
    values = policy_values() if values is None else values
    default = StoragePolicy()
    return StoragePolicy(
        hd_1_6_counts_as=str(values.get("hd_1_6_counts_as", default.hd_1_6_counts_as)),
        forcing_neq_per_item_kg=Decimal(
            str(values.get("forcing_neq_per_item_kg", default.forcing_neq_per_item_kg))
        ),
    )


def mixing_matrix(on: date) -> MixingMatrix:
    """The newest matrix version in effect on `on` (one query)."""
    version = (
        MixingMatrixVersion.objects.filter(effective_from__lte=on).order_by("-version").first()
    )
    if version is None:
        version = MixingMatrixVersion.objects.order_by("version").first()
    cells = MixingCell.objects.filter(version=version).values_list("group_a", "group_b", "value")
    return MixingMatrix({(a, b): value for a, b, value in cells})


def availability_by_condition() -> dict[str, str]:
    return dict(ConditionCode.objects.values_list("code", "availability"))
