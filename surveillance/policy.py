"""Surveillance policy as data: the stability table and the settings that go with it."""

from dataclasses import dataclass
from decimal import Decimal

from inventory.policy import policy_values
from surveillance.models import StabilityCategory, StabilityMethodPolicy, StabilityPolicyBand
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
    method: str | None = None,
    bands: list[StabilityPolicyBand] | None = None,
    method_policy: StabilityMethodPolicy | None = None,
    min_absolute_pct: Decimal | None = None,
) -> StabilityOutcome:
    """Map a result to its policy band (DESIGN.md §8). Each band includes its lower bound and
    excludes its upper; an absolute content below the policy minimum is unstable whatever
    remains. A fail is unstable; a pass gives at most the category of the method's row in the
    method policy (heat-flow calorimetry: stable; screening tests such as Abel heat: monitor,
    with the row's quantitative retest). A method without a row is treated as a screening test
    (monitor): a pass never reads better than the policy allows."""
    bands = list(StabilityPolicyBand.objects.all()) if bands is None else bands
    by_category = {band.category: band for band in bands}
    if passed is not None:
        if method_policy is None and method is not None:
            method_policy = StabilityMethodPolicy.objects.filter(method=method).first()
        if not passed:
            band = by_category[StabilityCategory.UNSTABLE]
        else:
            # The best a pass on this method can show; no row: a screening test.
            ceiling = (
                method_policy.pass_category
                if method_policy is not None and method_policy.pass_category
                else StabilityCategory.MONITOR
            )
            band = by_category[ceiling]
            retest = band.retest_months
            action = band.action
            if method_policy is not None and method_policy.pass_retest_months:
                retest = method_policy.pass_retest_months
            if method_policy is not None and method_policy.pass_action:
                action = f"{action}; {method_policy.pass_action}"
            elif method_policy is None:
                action = f"{action}; retest by stabiliser content"
            return StabilityOutcome(
                category=band.category,
                condition=band.condition_id or "",
                action=action[:200],
                retest_months=retest,
                dispose_within_days=band.dispose_within_days,
            )
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
