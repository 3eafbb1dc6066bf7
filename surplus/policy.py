"""The surplus policy switches as the computation reads them."""

from dataclasses import dataclass

from inventory.policy import policy_values
from surplus.reference_data import DEFAULT_POLICY


@dataclass(frozen=True)
class SurplusPolicy:
    expiry_horizon_months: int = DEFAULT_POLICY["surplus_expiry_horizon_months"][0]
    count_reparable: bool = DEFAULT_POLICY["surplus_count_reparable"][0]
    reparable_conditions: tuple[str, ...] = tuple(DEFAULT_POLICY["surplus_reparable_conditions"][0])

    def as_dict(self) -> dict:
        return {
            "surplus_expiry_horizon_months": self.expiry_horizon_months,
            "surplus_count_reparable": self.count_reparable,
            "surplus_reparable_conditions": list(self.reparable_conditions),
        }


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def surplus_policy(values: dict | None = None) -> SurplusPolicy:
    """The policy in force now (one query)."""
    values = policy_values() if values is None else values
    default = SurplusPolicy()
    conditions = values.get("surplus_reparable_conditions", list(default.reparable_conditions))
    if isinstance(conditions, str):
        conditions = [code.strip() for code in conditions.split(",") if code.strip()]
    return SurplusPolicy(
        expiry_horizon_months=int(
            values.get("surplus_expiry_horizon_months", default.expiry_horizon_months)
        ),
        count_reparable=_flag(values.get("surplus_count_reparable", default.count_reparable)),
        reparable_conditions=tuple(str(code) for code in conditions),
    )
