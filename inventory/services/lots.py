"""Lots (DESIGN.md §5): found case-insensitively or created, expiring per the type shelf life."""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from core.bulkinsert import unnest_insert_sql
from core.roles import Action
from core.scoping import require_any
from inventory.models import AmmunitionType, ConditionCode, Lot

DEFAULT_CONDITION = "A"


@dataclass(frozen=True)
class NewLot:
    """A lot named inline on a receipt line: used if it exists (any letter case), else created."""

    ammunition_type_id: int
    manufacturer: str
    lot_number: str
    manufactured_on: date
    condition: str = DEFAULT_CONDITION
    country_of_manufacture: str = ""
    batch: str = ""
    expires_on: date | None = None  # overrides manufacture date + shelf life when given


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lot_expiry(ammunition_type: AmmunitionType, manufactured_on: date) -> date | None:
    if ammunition_type.shelf_life_months is None:
        return None
    return add_months(manufactured_on, ammunition_type.shelf_life_months)


def lot_find(*, ammunition_type_id: int, manufacturer: str, lot_number: str) -> Lot | None:
    return (
        Lot.objects.annotate(number_upper=Upper("lot_number"))
        .filter(
            ammunition_type_id=ammunition_type_id,
            manufacturer=manufacturer.strip(),
            number_upper=lot_number.strip().upper(),
        )
        .first()
    )


def lot_resolve(spec: NewLot) -> Lot:
    """The existing lot matching `spec`, or a new one. Safe against a concurrent creation."""
    manufacturer, lot_number = spec.manufacturer.strip(), spec.lot_number.strip()
    if not manufacturer or not lot_number:
        raise ValidationError(_("A new lot needs a manufacturer and a lot number."))
    if spec.manufactured_on > date.today():
        raise ValidationError(_("The date of manufacture cannot be in the future."))
    found = lot_find(
        ammunition_type_id=spec.ammunition_type_id,
        manufacturer=manufacturer,
        lot_number=lot_number,
    )
    if found is not None:
        return found
    ammunition_type = AmmunitionType.objects.filter(pk=spec.ammunition_type_id).first()
    if ammunition_type is None:
        raise ValidationError(_("Unknown ammunition type."))
    if not ConditionCode.objects.filter(code=spec.condition).exists():
        raise ValidationError(_("Unknown condition code %(code)s.") % {"code": spec.condition})
    # ON CONFLICT DO NOTHING: a concurrent receipt creating the same lot wins, and we use its lot.
    Lot.objects.bulk_create(
        [
            Lot(
                ammunition_type=ammunition_type,
                manufacturer=manufacturer,
                lot_number=lot_number,
                manufactured_on=spec.manufactured_on,
                country_of_manufacture=spec.country_of_manufacture,
                batch=spec.batch,
                condition_id=spec.condition,
                expires_on=spec.expires_on or lot_expiry(ammunition_type, spec.manufactured_on),
                expiry_overridden=spec.expires_on is not None,
            )
        ],
        ignore_conflicts=True,
    )
    return lot_find(
        ammunition_type_id=spec.ammunition_type_id,
        manufacturer=manufacturer,
        lot_number=lot_number,
    )


def lot_create(*, spec: NewLot, created_by) -> Lot:
    """Record a lot before its first receipt. Refuses one that already exists (any letter case)."""
    require_any(created_by, (Action.RECORD_MOVEMENT, Action.RECORD_SURVEILLANCE))
    if lot_find(
        ammunition_type_id=spec.ammunition_type_id,
        manufacturer=spec.manufacturer.strip(),
        lot_number=spec.lot_number.strip(),
    ):
        raise ValidationError(
            {"lot_number": [_("This lot is already recorded for this type and manufacturer.")]}
        )
    return lot_resolve(spec)


def lots_resolve(specs: Sequence[NewLot]) -> list[Lot]:
    """`lot_resolve` for many lots at once (an opening-balance import names thousands): the
    existing lots matching the specs (any letter case), the others created, in a fixed number
    of queries; the lots in the order of `specs`. The caller has checked types, conditions and
    dates (an unknown one fails here as a database error, never as a wrong lot)."""
    keys = [_lot_key(spec.ammunition_type_id, spec.manufacturer, spec.lot_number) for spec in specs]
    if any(not maker or not number for _type, maker, number in keys):
        raise ValidationError(_("A new lot needs a manufacturer and a lot number."))
    found = _lots_by_key(keys)
    missing = {}
    for key, spec in zip(keys, specs, strict=True):
        if key not in found and key not in missing:
            missing[key] = spec
    if missing:
        types = AmmunitionType.objects.in_bulk(
            {spec.ammunition_type_id for spec in missing.values()}
        )
        _lots_insert(
            [
                Lot(
                    ammunition_type_id=spec.ammunition_type_id,
                    manufacturer=spec.manufacturer.strip(),
                    lot_number=spec.lot_number.strip(),
                    manufactured_on=spec.manufactured_on,
                    country_of_manufacture=spec.country_of_manufacture,
                    batch=spec.batch,
                    condition_id=spec.condition,
                    expires_on=spec.expires_on
                    or lot_expiry(types[spec.ammunition_type_id], spec.manufactured_on),
                    expiry_overridden=spec.expires_on is not None,
                )
                for spec in missing.values()
            ]
        )
        found = _lots_by_key(keys)
    return [found[key] for key in keys]


def _lots_insert(lots: list[Lot]) -> None:
    """INSERT new lots, one array per column (core.bulkinsert: thousands at once), ON CONFLICT DO
    NOTHING as lot_resolve: a lot a concurrent receipt created first is used, not duplicated."""
    for start in range(0, len(lots), 10_000):
        sql, params, _fields = unnest_insert_sql(lots[start : start + 10_000])
        with connection.cursor() as cursor:
            cursor.execute(sql + " ON CONFLICT DO NOTHING", params)


def lots_resolve_checked(specs: Sequence[NewLot]) -> list[Lot]:
    """`lot_resolve` for each of `specs` (a receipt's new lots), with its checks and refusals, in
    a fixed number of queries whatever their number: the lots in the order of `specs`. The specs
    are judged in order as lot_resolve judges one (names, date of manufacture, then, for a lot
    not yet recorded, its type and condition), so the first refusal is the same."""
    if not specs:
        return []
    keys = [_lot_key(spec.ammunition_type_id, spec.manufacturer, spec.lot_number) for spec in specs]
    found = _lots_by_key([key for key in keys if key[1] and key[2]])
    new = [spec for key, spec in zip(keys, specs, strict=True) if key not in found]
    types = (
        set(
            AmmunitionType.objects.filter(
                pk__in={spec.ammunition_type_id for spec in new}
            ).values_list("pk", flat=True)
        )
        if new
        else set()
    )
    conditions = (
        set(
            ConditionCode.objects.filter(code__in={spec.condition for spec in new}).values_list(
                "code", flat=True
            )
        )
        if new
        else set()
    )
    today = date.today()
    for key, spec in zip(keys, specs, strict=True):
        if not key[1] or not key[2]:
            raise ValidationError(_("A new lot needs a manufacturer and a lot number."))
        if spec.manufactured_on > today:
            raise ValidationError(_("The date of manufacture cannot be in the future."))
        if key in found:
            continue
        if spec.ammunition_type_id not in types:
            raise ValidationError(_("Unknown ammunition type."))
        if spec.condition not in conditions:
            raise ValidationError(_("Unknown condition code %(code)s.") % {"code": spec.condition})
    if not new:
        return [found[key] for key in keys]
    # Creates the lots still missing (ON CONFLICT DO NOTHING: a concurrent receipt creating the
    # same lot wins, and its lot is used) and reads them all back.
    return lots_resolve(specs)


def _lot_key(ammunition_type_id: int, manufacturer: str, lot_number: str) -> tuple[int, str, str]:
    return (ammunition_type_id, manufacturer.strip(), lot_number.strip().upper())


def _lots_by_key(keys: Sequence[tuple[int, str, str]]) -> dict[tuple[int, str, str], Lot]:
    """The lots named by (type id, manufacturer, upper-case number), in one query."""
    if not keys:
        return {}
    rows = Lot.objects.annotate(number_upper=Upper("lot_number")).filter(
        ammunition_type_id__in={key[0] for key in keys},
        number_upper__in={key[2] for key in keys},
    )
    wanted = set(keys)
    lots = {}
    for lot in rows:
        key = (lot.ammunition_type_id, lot.manufacturer, lot.number_upper)
        if key in wanted:
            lots[key] = lot
    return lots
