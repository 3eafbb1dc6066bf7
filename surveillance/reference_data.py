"""Seed the surveillance policy: the stability table (inventory/reference/stability_policy.csv,
a default for the national authority to confirm against IATG 07.10 §13), what a pass on each
test method may conclude (inventory/reference/stability_methods.csv) and the settings.

Used by a data migration with historical models; idempotent, so existing rows that the national
authority has changed are left alone.
"""

from decimal import Decimal

from inventory.reference_data import read_rows

DEFAULT_POLICY = {
    "first_stability_test_years": (
        5,
        "Years after manufacture when a propellant lot's first stability test falls due (§8).",
    ),
    "stability_min_absolute_pct": (
        "0.2",
        "Effective stabiliser content (%) below which a result is unstable whatever remains.",
    ),
    "inspection_interval_months": (
        12,
        "Months between inspections of a lot, for types without their own interval (IATG 07.20).",
    ),
    "expiry_horizon_days": (180, "Warn of lots expiring within this many days (§8)."),
    "licence_expiry_horizon_days": (90, "Warn of licences expiring within this many days (§8)."),
}


def _pct(value: str) -> Decimal | None:
    return Decimal(value) if value.strip() else None


def load_methods(*, StabilityMethodPolicy) -> None:
    """One row per test method, added where missing (rows an authority changed are kept)."""
    for row in read_rows("stability_methods.csv"):
        StabilityMethodPolicy.objects.get_or_create(
            method=row["method"],
            defaults={
                "pass_category": row["pass_category"],
                "pass_retest_months": (
                    int(row["pass_retest_months"]) if row["pass_retest_months"] else None
                ),
                "pass_action": row["pass_action"],
                "source": row["source"],
            },
        )


def load(*, StabilityPolicyBand, PolicySetting, StabilityMethodPolicy=None) -> None:
    if not StabilityPolicyBand.objects.exists():
        for row in read_rows("stability_policy.csv"):
            StabilityPolicyBand.objects.create(
                min_remaining_pct=_pct(row["min_remaining_percent_of_initial"]),
                max_remaining_pct=_pct(row["max_remaining_percent_of_initial"]),
                category=row["category"],
                condition_id=row["condition_code"] or None,
                action=row["action"],
                retest_months=int(row["retest_months"]) if row["retest_months"] else None,
                dispose_within_days=(
                    int(row["dispose_within_days"]) if row["dispose_within_days"] else None
                ),
            )
    if StabilityMethodPolicy is not None:
        load_methods(StabilityMethodPolicy=StabilityMethodPolicy)
    for key, (value, description) in DEFAULT_POLICY.items():
        PolicySetting.objects.get_or_create(
            key=key, defaults={"value": value, "description": description}
        )
