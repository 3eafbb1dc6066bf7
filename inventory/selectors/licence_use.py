"""How full each storehouse is: NEQ held per hazard division against its licence in force.

A read for the stock page. It shows each division against the limit of the division it counts as
(1.5 as 1.1, 1.6 as policy says); the posting service's check additionally aggregates mixed
divisions (DESIGN.md §4 rule 4), so a storehouse can be refused before any one bar is full.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core.scoping import scope
from inventory import policy, rules
from inventory.models import Balance, Licence, Storehouse
from inventory.models.reference import LICENSABLE_DIVISIONS
from inventory.selectors.ledger import book_hidden

NEQ = DecimalField(max_digits=20, decimal_places=3)
# Above this share of a limit the bar turns amber.
NEAR_LIMIT_PERCENT = 80


@dataclass(frozen=True)
class DivisionUse:
    """NEQ held in one hazard division, and the licence limit it is held against.

    `limit_division` is the division whose limit applies (1.5 is held against 1.1); `permitted`
    is False when the licence has no key for it; `limit_kg` None with `permitted` means unlimited.
    """

    division: str
    neq_kg: Decimal
    limit_division: str
    permitted: bool
    limit_kg: Decimal | None

    @property
    def unlimited(self) -> bool:
        return self.permitted and self.limit_kg is None

    @property
    def percent(self) -> int | None:
        """Share of the limit used, in whole per cent (None when unlimited or not permitted)."""
        if not self.permitted or self.limit_kg is None:
            return None
        if self.limit_kg == 0:
            return 0 if self.neq_kg == 0 else 999
        return int(self.neq_kg * 100 / self.limit_kg)

    @property
    def bar_percent(self) -> int:
        """Width of the bar, 0 to 100."""
        if self.percent is None:
            return 100 if not self.permitted and self.neq_kg > 0 else 0
        return max(0, min(100, self.percent))

    @property
    def bar_step(self) -> int:
        """The bar's width rounded to 5 %: a CSS class (`fill-55`), since the Content-Security-
        Policy refuses inline styles."""
        return 5 * round(self.bar_percent / 5)

    @property
    def level(self) -> str:
        """ "ok", "near" or "over": for the bar's colour and the words beside it."""
        if not self.permitted:
            return "over" if self.neq_kg > 0 else "ok"
        if self.percent is None:
            return "ok"
        if self.neq_kg > self.limit_kg:
            return "over"
        return "near" if self.percent >= NEAR_LIMIT_PERCENT else "ok"


@dataclass(frozen=True)
class StorehouseUse:
    storehouse: Storehouse
    licence: Licence | None
    divisions: list[DivisionUse] = field(default_factory=list)

    @property
    def total_neq_kg(self) -> Decimal:
        return sum((d.neq_kg for d in self.divisions), Decimal(0))

    @property
    def level(self) -> str:
        """ "ok", "near", "over", or "unlicensed" for an empty storehouse with no licence."""
        levels = {d.level for d in self.divisions}
        if self.licence is None:
            return "over" if self.total_neq_kg > 0 else "unlicensed"
        return "over" if "over" in levels else "near" if "near" in levels else "ok"


def storehouse_neq_summary(
    *,
    user: User,
    depot_id: int | None = None,
    storehouse_id: int | None = None,
    on: date | None = None,
    limit: int = 60,
) -> list[StorehouseUse]:
    """Active storehouses in the user's scope (at most `limit`), each with the NEQ it holds per
    hazard division, summed in SQL, and its licence in force on `on` (today by default).

    Five queries whatever the stock: storehouses, NEQ sums, licences, their limits, policy.
    """
    on = on or timezone.localdate()
    storehouses = scope(Storehouse.objects.select_related("depot"), user).filter(is_active=True)
    # A storehouse counted blind shows no NEQ to its counters: NEQ over one lot is its quantity.
    storehouses = book_hidden(storehouses, user, storehouse_field="pk")
    if depot_id is not None:
        storehouses = storehouses.filter(depot_id=depot_id)
    if storehouse_id is not None:
        storehouses = storehouses.filter(pk=storehouse_id)
    storehouses = list(storehouses.order_by("depot__code", "code", "id")[:limit])
    ids = [storehouse.pk for storehouse in storehouses]
    if not ids:
        return []
    per_unit = Coalesce(F("lot__neq_per_unit_kg"), F("lot__ammunition_type__neq_per_unit_kg"))
    sums: dict[int, dict[str, Decimal]] = {pk: {} for pk in ids}
    rows = (
        Balance.objects.filter(storehouse_id__in=ids, quantity__gt=0)
        .values("storehouse_id", division=F("lot__ammunition_type__hazard_division"))
        .annotate(neq=Sum(ExpressionWrapper(F("quantity") * per_unit, output_field=NEQ)))
        .order_by()
    )
    for row in rows:
        sums[row["storehouse_id"]][row["division"]] = row["neq"] or Decimal(0)
    licences = {
        licence.storehouse_id: licence
        for licence in Licence.objects.filter(
            storehouse_id__in=ids, valid_from__lte=on, valid_until__gte=on
        ).prefetch_related("limits")
    }
    storage_policy = policy.storage_policy()
    order = {division: index for index, division in enumerate(rules.HAZARD_DIVISIONS)}
    summary = []
    for storehouse in storehouses:
        licence = licences.get(storehouse.pk)
        limits = licence.limits_dict() if licence else {}
        held = sums[storehouse.pk]
        divisions = sorted(set(held) | set(limits), key=order.__getitem__)
        uses = []
        for division in divisions:
            counted = rules.counted_division(division, storage_policy)
            uses.append(
                DivisionUse(
                    division=division,
                    neq_kg=held.get(division, Decimal(0)),
                    limit_division=counted,
                    permitted=counted in limits and counted in LICENSABLE_DIVISIONS,
                    limit_kg=limits.get(counted),
                )
            )
        summary.append(StorehouseUse(storehouse=storehouse, licence=licence, divisions=uses))
    return summary
