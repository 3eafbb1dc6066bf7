"""Demo data for a first run: depots and one user per role. Idempotent: run it as often as you like.

Later modules extend this with their own data (storehouses, lots, history, ...).
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.services import user_upsert
from core.roles import Role
from inventory.models import Depot

DEMO_DEPOTS = [
    ("D01", "Northern Central Ammunition Depot", "North"),
    ("D02", "Lakeside Ammunition Depot", "North"),
    ("D03", "Southern Field Ammunition Depot", "South"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    depot_codes: tuple[str, ...] = ()


DEMO_USERS = [
    DemoUser("clerk", "Amina", "Clerk", (Role.CLERK,), ("D01",)),
    DemoUser("clerk2", "Jonas", "Clerk", (Role.CLERK,), ("D02",)),
    DemoUser("inspector", "Ravi", "Inspector", (Role.INSPECTOR,), ("D01",)),
    DemoUser("officer", "Sofia", "Officer", (Role.OFFICER,)),
    DemoUser("auditor", "Mateo", "Auditor", (Role.AUDITOR,)),
    DemoUser("admin", "Grace", "Admin", (Role.ADMIN,)),
]


@transaction.atomic
def seed(*, password: str) -> list[DemoUser]:
    depots = {}
    for code, name, region in DEMO_DEPOTS:
        depots[code], _ = Depot.objects.update_or_create(
            code=code, defaults={"name": name, "region": region}
        )
    for demo in DEMO_USERS:
        user_upsert(
            username=demo.username,
            password=password,
            roles=demo.roles,
            depot_ids=[depots[code].pk for code in demo.depot_codes],
            first_name=demo.first_name,
            last_name=demo.last_name,
        )
    return DEMO_USERS
