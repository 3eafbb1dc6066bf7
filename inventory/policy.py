"""Policy as data: read the national authority's current tables into the shapes `rules` takes."""

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from inventory.models import (
    ClosedPeriod,
    ConditionCode,
    MixingCell,
    MixingMatrixVersion,
    PolicySetting,
)
from inventory.rules import MixingMatrix, StoragePolicy, hd_1_6_counts_as_check
from inventory.selectors.bans import BANS_BINDING_CTES

DEFAULT_BACKDATE_DAYS = 30
DEFAULT_HD_1_2_THRESHOLD_KG = Decimal("0.136")  # IATG 2021 (DESIGN.md §3)
# Returns awaiting classification (DESIGN.md §6): the policy switch, on unless set off, and the
# condition code a returned child lot takes until an inspector classifies it.
DEFAULT_RETURNS_AWAIT_CLASSIFICATION = True
RETURNS_CONDITION = "K"


def policy_values() -> dict:
    return dict(PolicySetting.objects.values_list("key", "value"))


def backdate_days(values: dict | None = None) -> int:
    values = policy_values() if values is None else values
    return int(values.get("backdate_days", DEFAULT_BACKDATE_DAYS))


def _decimal_kg(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"{value!r} is not a mass in kg")
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"{value!r} is not a mass in kg") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} is not a mass in kg (0 or more)")
    return amount


def _switch(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{value!r} is not true or false")
    return value


# The settings whose values the storage rules read, each with its check: an administrator's edit
# (the PolicySetting admin) is refused when the check fails, and so is a bad stored value when a
# posting reads it (storage_policy), rather than being read as something else.
SETTING_CHECKS = {
    "hd_1_6_counts_as": hd_1_6_counts_as_check,
    "forcing_neq_per_item_kg": _decimal_kg,
    "hd_1_2_threshold_kg": _decimal_kg,
    "returns_await_classification": _switch,
}


def policy_setting_check(key: str, value: object) -> None:
    """ValueError when `value` is not allowed for setting `key` (keys without a check pass)."""
    check = SETTING_CHECKS.get(key)
    if check is not None:
        check(value)


def _setting(values: dict, key: str, default):
    value = values.get(key, default)
    try:
        policy_setting_check(key, value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"Policy setting {key} = {value!r} is not allowed: {exc}. Correct it in the "
            f"administration (Inventory → Policy settings)."
        ) from None
    return value


def storage_policy(values: dict | None = None) -> StoragePolicy:
    """The aggregation policy of DESIGN.md §4 rule 4. ImproperlyConfigured, naming the setting,
    when a stored value is not allowed (e.g. hd_1_6_counts_as = "1.6"): no posting is checked
    under a policy other than the one recorded."""
    values = policy_values() if values is None else values
    default = StoragePolicy()
    return StoragePolicy(
        hd_1_6_counts_as=_setting(values, "hd_1_6_counts_as", default.hd_1_6_counts_as),
        forcing_neq_per_item_kg=_decimal_kg(
            _setting(values, "forcing_neq_per_item_kg", default.forcing_neq_per_item_kg)
        ),
    )


def hd_1_2_threshold_kg(values: dict | None = None) -> Decimal:
    """HE per item above which an HD 1.2 type is 1.2.1, else 1.2.2 (DESIGN.md §3; policy
    `hd_1_2_threshold_kg`, IATG 2021: 0.136 kg)."""
    values = policy_values() if values is None else values
    return _decimal_kg(_setting(values, "hd_1_2_threshold_kg", DEFAULT_HD_1_2_THRESHOLD_KG))


def returns_await_classification(values: dict | None = None) -> bool:
    """The policy switch RETURNS_AWAIT_CLASSIFICATION (DESIGN.md §6; setting
    `returns_await_classification`, default on): a return is posted into a child lot of the
    returned lot in condition K, not into the lot itself."""
    values = policy_values() if values is None else values
    return _switch(
        _setting(values, "returns_await_classification", DEFAULT_RETURNS_AWAIT_CLASSIFICATION)
    )


def mixing_matrix(on: date) -> MixingMatrix:
    """The newest matrix version in effect on `on` (one query)."""
    version = (
        MixingMatrixVersion.objects.filter(effective_from__lte=on).order_by("-version").first()
    )
    if version is None:
        version = MixingMatrixVersion.objects.order_by("version").first()
    cells = MixingCell.objects.filter(version=version).values_list("group_a", "group_b", "value")
    return MixingMatrix({(a, b): value for a, b, value in cells})


def availability_by_condition() -> dict[str, str]:
    return dict(ConditionCode.objects.values_list("code", "availability"))


def isolating_conditions() -> frozenset[str]:
    """The condition codes whose lots are stored apart (DESIGN.md §4 rule 2)."""
    return frozenset(ConditionCode.objects.filter(isolate=True).values_list("code", flat=True))


@dataclass(frozen=True)
class PostingPolicy:
    """What every posting reads before it writes: policy settings, availability by condition,
    and the depot's closed period covering the voucher date, if any."""

    values: dict
    availability: dict[str, str]
    closed: ClosedPeriod | None
    # The condition codes whose lots are stored apart (DESIGN.md §4 rule 2).
    isolating: frozenset[str] = frozenset()
    # The count freezing the depot (a stock check's number), if any: postings are refused
    # (inventory.models.freezes).
    frozen_by: str | None = None
    # (lot id, ban id) of the active bans binding the lots asked for with `bans_for`, if asked.
    ban_pairs: list[tuple[int, int]] | None = None


_POSTING_POLICY_SELECT = """
SELECT
    (SELECT coalesce(json_object_agg(key, value), '{}')::text FROM inventory_policysetting),
    (SELECT coalesce(json_object_agg(code, availability), '{}')::text FROM inventory_conditioncode),
    (SELECT coalesce(json_agg(code), '[]')::text FROM inventory_conditioncode WHERE isolate),
    closed.id, closed.starts_on, closed.ends_on,
    (SELECT reference FROM inventory_depotfreeze WHERE depot_id = %s)
    {bans}
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT id, starts_on, ends_on FROM inventory_closedperiod
    WHERE depot_id = %s AND starts_on <= %s AND ends_on >= %s ORDER BY id LIMIT 1
) AS closed ON true
"""


_POSTING_POLICY_SQL = _POSTING_POLICY_SELECT.replace("{bans}", "")


@functools.cache
def _posting_policy_with_bans_sql() -> str:
    bans = (
        ", (SELECT coalesce(json_agg(json_build_array(lot_id, ban_id) ORDER BY lot_id, ban_id),"
        " '[]')::text FROM binding)"
    )
    select = _POSTING_POLICY_SELECT.replace("{bans}", bans)
    return "WITH RECURSIVE" + BANS_BINDING_CTES + "\n" + select


def posting_policy(*, depot_id: int, on: date, bans_for: Iterable[int] = ()) -> PostingPolicy:
    """policy_values(), availability_by_condition() and the closed period of `depot_id` covering
    `on`, in one query. Not cached: read inside the posting's transaction, so the posting after
    an administrator's edit sees the edit. With `bans_for` (lot ids), the same statement also
    reads the active bans binding those lots (`ban_pairs`): an issue's one read after it has
    share-locked its lots."""
    lot_ids = sorted(set(bans_for))
    with connection.cursor() as cursor:
        if lot_ids:
            cursor.execute(_posting_policy_with_bans_sql(), [lot_ids, depot_id, depot_id, on, on])
            *row, pairs = cursor.fetchone()
            ban_pairs = [tuple(pair) for pair in json.loads(pairs)]
        else:
            cursor.execute(_POSTING_POLICY_SQL, [depot_id, depot_id, on, on])
            row, ban_pairs = cursor.fetchone(), None
        values, availability, isolating, closed_id, starts_on, ends_on, frozen_by = row
    closed = (
        None
        if closed_id is None
        else ClosedPeriod(id=closed_id, depot_id=depot_id, starts_on=starts_on, ends_on=ends_on)
    )
    return PostingPolicy(
        values=json.loads(values),
        availability=json.loads(availability),
        isolating=frozenset(json.loads(isolating)),
        closed=closed,
        frozen_by=frozen_by,
        ban_pairs=ban_pairs,
    )
