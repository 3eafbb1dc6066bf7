"""Seed the surplus policy switches (DESIGN.md §9) as PolicySetting rows, which keep their
history (django-simple-history) and which an administrator changes like any other policy.

Used by a data migration with historical models; idempotent, so values the national authority
has changed are left alone.
"""

DEFAULT_POLICY = {
    "surplus_expiry_horizon_months": (
        12,
        "Serviceable stock expiring within this many months that training will not consume "
        "before expiry counts as surplus (DESIGN.md §9).",
    ),
    "surplus_count_reparable": (
        True,
        "Count reparable stock (the conditions in surplus_reparable_conditions) as unserviceable "
        "surplus; when false it is shown but counted neither as serviceable nor as surplus.",
    ),
    "surplus_reparable_conditions": (["F"], "Condition codes of reparable stock (§9)."),
}


def load(*, PolicySetting) -> None:
    for key, (value, description) in DEFAULT_POLICY.items():
        PolicySetting.objects.get_or_create(
            key=key, defaults={"value": value, "description": description}
        )
