"""Demo national requirements on top of the demo stockpile (inventory/demo.py), so that the
surplus dashboard shows types in surplus, types short of their requirement and types with none.

Each requirement is a share of what the demo holds of the type on the day of seeding, split into
the four components of DESIGN.md §9. Idempotent: nothing is added once a requirement exists.

Called by demo.seeding once the stockpile is loaded: `surplus.demo.seed(users=users)`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from inventory.models import AmmunitionType, Balance
from surplus import services
from surplus.models import Requirement

# Type code, the share of the current holdings required, and the approval reference.
DEMO_REQUIREMENTS = [
    ("SAA-762X39-BALL", 0.55, "MoD directive 14/2026 (small arms)"),
    ("SAA-556-BALL", 1.20, "MoD directive 14/2026 (small arms)"),
    ("SAA-9X19-BALL", 0.80, "MoD directive 14/2026 (small arms)"),
    ("MOR-82-HE", 0.60, "General Staff order 3/2026 (indirect fire)"),
    ("ART-122-HE", 0.40, "General Staff order 3/2026 (indirect fire)"),
    ("RKT-PG7V-HEAT", 1.10, "General Staff order 3/2026 (anti-armour)"),
    ("HG-F1-FUZED", 0.70, "MoD directive 14/2026 (infantry)"),
    ("DEM-TNT-200", 0.90, "Engineer branch plan 2026"),
]


@transaction.atomic
def seed(*, users: dict[str, User]) -> list[str]:
    """Set the demo requirements as the demo officer; returns notes for the seeding summary."""
    if Requirement.objects.exists():
        return ["Surplus: national requirements already set; none were added."]
    officer = users["officer"]
    types = AmmunitionType.objects.in_bulk(
        [code for code, *_ in DEMO_REQUIREMENTS], field_name="code"
    )
    held = dict(
        Balance.objects.filter(lot__ammunition_type__in=types.values())
        .values_list("lot__ammunition_type__code")
        .annotate(total=Sum("quantity"))
    )
    today = timezone.localdate()
    count = 0
    for code, share, reference in DEMO_REQUIREMENTS:
        total = int(held.get(code, 0) * share)
        if code not in types or total < 10:
            continue
        # Operational reserve 60 %, three years of training 30 %, testing 5 %, contingency 5 %.
        training_per_year = total * 10 // 100
        testing = total * 5 // 100
        contingency = total * 5 // 100
        operational = total - 3 * training_per_year - testing - contingency
        services.requirement_set(
            ammunition_type=types[code],
            effective_from=today.replace(month=1, day=1),
            operational=operational,
            training_per_year=training_per_year,
            training_years=3,
            testing=testing,
            contingency=contingency,
            approval_reference=reference,
            set_by=officer,
        )
        count += 1
    return [f"Surplus: {count} national requirements set (some types in surplus, some short)."]
