"""The demo stockpile of a first run, loaded app by app from the ground up: the stockpile with its
year of history (inventory, with surveillance's part of the year on the same timeline), then the
national requirements (surplus), the register of parties and an export case (diversion), and the
exposed sites around the storehouses (qd).

Each app seeds its own part in its own `demo.seed()`, knowing only the apps below it; this module,
at the top, is the one that knows them all and their order. One transaction: a refusal anywhere
leaves nothing behind.
"""

from __future__ import annotations

from django.db import transaction

from diversion import demo as diversion_demo
from inventory import demo as inventory_demo
from qd import demo as qd_demo
from surplus import demo as surplus_demo
from surveillance import demo as surveillance_demo


@transaction.atomic
def seed(*, password: str) -> inventory_demo.SeedSummary:
    """Load every app's demo (idempotent); returns what was loaded, with every app's notes."""
    summary = inventory_demo.seed(password=password, chapters=[surveillance_demo.seed])
    summary.notes.extend(surplus_demo.seed(users=summary.accounts))
    summary.notes.extend(diversion_demo.seed(users=summary.accounts))
    summary.notes.extend(qd_demo.seed(users=summary.accounts))
    return summary
