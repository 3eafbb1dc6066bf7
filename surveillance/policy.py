"""Surveillance policy as data: the stability table and the settings that go with it."""

from dataclasses import dataclass
from decimal import Decimal

from inventory.policy import policy_values
from surveillance.models import StabilityCategory, StabilityPolicyBand
from surveillance.reference_data import DEFAULT_POLICY


def setting(key: str, values: dict | None = None):
    values = policy_values() if values is None else values
    return values.get(key, DEFAULT_POLICY[key][0])


@dataclass(frozen=True)
class StabilityOutcome:
    category: str
    condition: str  # "" when the result leaves the condition alone
    action: str
    retest_months: int | None
    dispose_within_days: int | None


def stability_outcome(
    *,
    remaining_pct: Decimal | None,
    measured_pct: Decimal | None,
    passed: bool | None,
    bands: list[StabilityPolicyBand] | None = None,
    min_absolute_pct: Decimal | None = None,
) -> StabilityOutcome:
    """Map a result to its policy band (DESIGN.md §8). Each band includes its lower bound and
    excludes its upper; pass/fail methods map pass → stable and fail → unstable; an absolute
    content below the policy minimum is unstable whatever remains."""
    bands = list(StabilityPolicyBand.objects.all()) if bands is None else bands
    by_category = {band.category: band for band in bands}
    if passed is not None:
        category = StabilityCategory.STABLE if passed else StabilityCategory.UNSTABLE
        band = by_category[category]
    else:
        if min_absolute_pct is None:
            min_absolute_pct = Decimal(str(setting("stability_min_absolute_pct")))
        band = None
        if measured_pct is not None and measured_pct < min_absolute_pct:
            band = by_category[StabilityCategory.UNSTABLE]
        else:
            for candidate in bands:
                low, high = candidate.min_remaining_pct, candidate.max_remaining_pct
                if (low is None or remaining_pct >= low) and (high is None or remaining_pct < high):
                    band = candidate
                    break
        if band is None:
            raise LookupError(f"No stability policy band covers {remaining_pct} %.")
    return StabilityOutcome(
        category=band.category,
        condition=band.condition_id or "",
        action=band.action,
        retest_months=band.retest_months,
        dispose_within_days=band.dispose_within_days,
    )
