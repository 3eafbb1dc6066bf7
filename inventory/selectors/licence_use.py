"""How full each storehouse is: NEQ held per hazard division against its licence in force.

A read for the stock page. It shows each division against the limit of the division it counts as
(1.5 as 1.1, 1.6 as policy says), and beneath them the aggregated sums of mixed divisions that the
posting service checks (DESIGN.md §4 rule 4, `rules.neq_assessments`), so a storehouse whose
aggregate is over a limit reads "over limit", never "near limit", even when no single division is.
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
    # For an aggregated sum of several divisions (rule 4): why they are summed; "" otherwise.
    reason: str = ""

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
    # The aggregated sums of rule 4 (mixed divisions), each against its assessed division's limit.
    aggregated: list[DivisionUse] = field(default_factory=list)

    @property
    def total_neq_kg(self) -> Decimal:
        return sum((d.neq_kg for d in self.divisions), Decimal(0))

    @property
    def level(self) -> str:
        """ "ok", "near", "over", or "unlicensed" for an empty storehouse with no licence."""
        levels = {d.level for d in [*self.divisions, *self.aggregated]}
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
    # Grouped by what rule 4 reads of a lot (division, flags, NEQ per item): one synthetic
    # holding per group is enough to aggregate as the posting check does.
    rows = (
        Balance.objects.filter(storehouse_id__in=ids, quantity__gt=0)
        .values(
            "storehouse_id",
            division=F("lot__ammunition_type__hazard_division"),
            shaped=F("lot__ammunition_type__shaped_charge"),
            hep=F("lot__ammunition_type__high_energy_propellant"),
            per_unit=per_unit,
            items=F("lot__ammunition_type__items_per_unit"),
        )
        .annotate(neq=Sum(ExpressionWrapper(F("quantity") * per_unit, output_field=NEQ)))
        .order_by()
    )
    groups: dict[int, list[rules.Holding]] = {pk: [] for pk in ids}
    for row in rows:
        neq = row["neq"] or Decimal(0)
        held = sums[row["storehouse_id"]]
        held[row["division"]] = held.get(row["division"], Decimal(0)) + neq
        bucket = groups[row["storehouse_id"]]
        bucket.append(
            rules.Holding(
                lot_id=len(bucket) + 1,
                lot_number="",
                ammunition_type_id=0,
                hazard_division=row["division"],
                compatibility_group="S",
                neq_kg=neq,
                neq_per_unit_kg=row["per_unit"] or Decimal(0),
                items_per_unit=row["items"],
                shaped_charge=row["shaped"],
                high_energy_propellant=row["hep"],
            )
        )
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
            counted = rules.counted_division(division, storage_policy, held)
            uses.append(
                DivisionUse(
                    division=division,
                    neq_kg=held.get(division, Decimal(0)),
                    limit_division=counted,
                    permitted=counted in limits and counted in LICENSABLE_DIVISIONS,
                    limit_kg=limits.get(counted),
                )
            )
        summary.append(
            StorehouseUse(
                storehouse=storehouse,
                licence=licence,
                divisions=uses,
                aggregated=_aggregated(groups[storehouse.pk], limits, storage_policy),
            )
        )
    return summary


def _aggregated(holdings, limits, storage_policy) -> list[DivisionUse]:
    """The rule-4 sums that add up more than one division, against their assessed limits."""
    present = {h.hazard_division for h in holdings}
    division_of = {
        h.lot_id: rules.counted_division(h.hazard_division, storage_policy, present)
        for h in holdings
    }
    aggregated = []
    for assessment in rules.neq_assessments(holdings, storage_policy):
        summed = {division_of[lot_id] for lot_id in assessment.lot_ids}
        if summed == {assessment.division}:
            continue
        aggregated.append(
            DivisionUse(
                division=assessment.division,
                neq_kg=assessment.neq_kg,
                limit_division=assessment.division,
                permitted=assessment.division in limits
                and assessment.division in LICENSABLE_DIVISIONS,
                limit_kg=limits.get(assessment.division),
                reason=assessment.reason,
            )
        )
    return aggregated
