"""Demo exposed sites around the demo depots' storehouses (DESIGN.md §13). Every licence stays
within what its sites allow but one: D02's ECM-01 is licensed for 25,000 kg of HD 1.1 with a
village 550 m away (QD permits 15,206 kg), so the `licence_beyond_qd` alert shows.

`seed(users=...)` is called by the demo seeding (each app's `demo.seed()`), after the depots,
storehouses and licences exist; it adds nothing where a depot already has sites."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import User
from inventory.models import Depot, Storehouse
from qd.models import ExposedSite
from qd.services import exposed_site_create

# depot -> [(name, kind, {storehouse code: distance m})]
DEMO_SITES: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "D01": [
        ("Kibera village", "inhabited_building", {"ECM-01": "900", "SAA-02": "780",
                                                  "DET-03": "860", "QUA-04": "950"}),
        ("District road B12", "ptr_medium", {"ECM-01": "500", "SAA-02": "420",
                                            "DET-03": "470", "QUA-04": "520"}),
        ("Depot workshop", "process_building", {"ECM-01": "260", "DET-03": "180"}),
        ("Storehouse SAA-02", "storehouse", {"ECM-01": "120", "DET-03": "70"}),
        ("Storehouse DET-03", "storehouse", {"ECM-01": "110", "SAA-02": "70"}),
    ],
    "D02": [
        ("Mabatini village", "inhabited_building", {"ECM-01": "550", "PYR-02": "700"}),
        ("Railway line", "ptr_high", {"ECM-01": "700", "PYR-02": "640"}),
        ("Storehouse PYR-02", "storehouse", {"ECM-01": "150"}),
    ],
    "D03": [
        ("Farmstead", "inhabited_building", {"ECM-01": "650", "OSS-02": "700"}),
        ("Track to the range", "ptr_low", {"ECM-01": "300", "OSS-02": "240"}),
        ("Primary school", "vulnerable_building", {"ECM-01": "1500", "OSS-02": "1600"}),
    ],
}  # fmt: skip


def seed(*, users: dict[str, User]) -> list[str]:
    """Register the demo sites as the demo administrator; returns notes for the summary."""
    admin = users["admin"]
    added = 0
    for code, sites in DEMO_SITES.items():
        depot = Depot.objects.filter(code=code).first()
        if depot is None or ExposedSite.objects.filter(depot=depot).exists():
            continue
        storehouses = {s.code: s for s in Storehouse.objects.filter(depot=depot)}
        for name, kind, distances in sites:
            exposed_site_create(
                depot=depot,
                name=name,
                kind=kind,
                distances=[
                    {"storehouse": storehouses[sh], "distance_m": Decimal(metres)}
                    for sh, metres in distances.items()
                    if sh in storehouses
                ],
                created_by=admin,
            )
            added += 1
    if not added:
        return ["Quantity-distance: exposed sites already registered; none were added."]
    return [
        f"Quantity-distance: {added} exposed sites; D02/ECM-01's licence exceeds what its "
        "sites allow (alert licence_beyond_qd)."
    ]
