"""Reference data brought in from a file (administrators, DESIGN.md §14): ammunition types,
recipients, parties. Each row goes through the register's own service (inventory's reference
services, diversion's party service), so a row is checked exactly as the form or the API would
check it; a refused row becomes an error naming its row and column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ApplicationError
from diversion.services.parties import party_create
from imports.opening import error, header_errors
from imports.parsing import Sheet
from inventory.models import Depot
from inventory.services.reference import ammunition_type_create, recipient_create

_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0", ""}


class RowRefused(Exception):
    def __init__(self, column: str | None, code: str, detail: str) -> None:
        super().__init__(detail)
        self.column, self.code, self.detail = column, code, detail


def _flag(values: dict, name: str) -> bool:
    text = values.get(name, "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowRefused(name, "bad_value", _("Write true or false."))


def _decimal(values: dict, name: str) -> Decimal:
    try:
        return Decimal(values.get(name, ""))
    except InvalidOperation:
        raise RowRefused(
            name, "bad_value", _("Write a number, with a point for decimals.")
        ) from None


def _whole(values: dict, name: str, default: int | None = None) -> int | None:
    text = values.get(name, "")
    if not text:
        return default
    if not text.isdigit():
        raise RowRefused(name, "bad_value", _("Write a whole number."))
    return int(text)


def _texts(values: dict, *names: str) -> dict[str, str]:
    """The row's text columns `names`, as they stand (empty where the file leaves them out)."""
    return {name: values.get(name, "") for name in names}


def _ammunition_type(values: dict, user: User, depots: dict[str, Depot]):
    return ammunition_type_create(
        **_texts(values, "code", "name", "category", "calibre", "hazard_division", "packaging"),
        compatibility_group=values.get("compatibility_group", "").upper(),
        neq_per_unit_kg=_decimal(values, "neq_per_unit_kg"),
        unit=values.get("unit", "") or "round",
        items_per_unit=_whole(values, "items_per_unit", 1),
        shelf_life_months=_whole(values, "shelf_life_months"),
        contains_propellant=_flag(values, "contains_propellant"),
        shaped_charge=_flag(values, "shaped_charge"),
        high_energy_propellant=_flag(values, "high_energy_propellant"),
        obsolete=_flag(values, "obsolete"),
        created_by=user,
    )


def _recipient(values: dict, user: User, depots: dict[str, Depot]):
    depot = None
    if code := values.get("depot", ""):
        depot = depots.get(code.upper())
        if depot is None:
            raise RowRefused("depot", "unknown_depot", _("No depot has this code."))
    return recipient_create(
        **_texts(values, "code", "name", "kind"),
        depot=depot,
        permitted_restricted=_flag(values, "permitted_restricted"),
        is_active=not values.get("is_active") or _flag(values, "is_active"),
        created_by=user,
    )


def _party(values: dict, user: User, depots: dict[str, Depot]):
    return party_create(
        **_texts(values, "kind", "name", "country", "address", "status_reason", "status_source"),
        status=values.get("status", "") or "pending",
        created_by=user,
    )


@dataclass(frozen=True)
class ReferenceKind:
    columns: list[str]
    required: list[str]
    example: list[str]
    create: Callable


REFERENCE = {
    "ammunition_types": ReferenceKind(
        columns=[
            "code", "name", "category", "calibre", "hazard_division", "compatibility_group",
            "neq_per_unit_kg", "unit", "items_per_unit", "packaging", "shelf_life_months",
            "contains_propellant", "shaped_charge", "high_energy_propellant", "obsolete",
        ],
        required=["code", "name", "category", "hazard_division", "compatibility_group",
                  "neq_per_unit_kg"],
        example=["762-BALL", "Cartridge 7.62 x 39 mm ball", "small_arms", "7.62 x 39 mm", "1.4",
                 "S", "0.003", "round", "1", "", "240", "true", "false", "false", "false"],
        create=_ammunition_type,
    ),
    "recipients": ReferenceKind(
        columns=["code", "name", "kind", "depot", "permitted_restricted", "is_active"],
        required=["code", "name", "kind"],
        example=["1BDE", "1st Brigade", "unit", "", "false", "true"],
        create=_recipient,
    ),
    "parties": ReferenceKind(
        columns=["kind", "name", "country", "address", "status", "status_reason",
                 "status_source"],
        required=["kind", "name", "country"],
        example=["manufacturer", "Arsenal Nord", "FR", "1 rue de l'Arsenal", "pending", "", ""],
        create=_party,
    ),
}  # fmt: skip


def reference_apply(kind: str, sheet: Sheet, *, user: User) -> tuple[int, list[dict]]:
    """Create every row's record through its service, each row in a savepoint: the number
    created and the errors. The caller's transaction decides whether any of it is kept (a dry
    run, or a file with any error, rolls it all back)."""
    spec = REFERENCE[kind]
    errors = [problem.as_error() for problem in sheet.problems]
    errors += header_errors(sheet, spec.columns, spec.required)
    if any(e["row"] is None for e in errors):
        return 0, errors
    depots = {depot.code.upper(): depot for depot in Depot.objects.all()}
    created = 0
    for values in sheet.rows:
        number = int(values["__row__"])
        if not any(v for k, v in values.items() if k != "__row__"):
            continue
        missing = [name for name in spec.required if not values.get(name)]
        if missing:
            errors += [
                error(number, name, "missing_value", _("This column needs a value."))
                for name in missing
            ]
            continue
        try:
            with transaction.atomic():
                spec.create(values, user, depots)
            created += 1
        except RowRefused as refusal:
            errors.append(error(number, refusal.column, refusal.code, refusal.detail))
        except ValidationError as exc:
            errors += _validation_errors(number, exc, spec.columns)
        except IntegrityError:
            errors.append(error(number, None, "duplicate_row", _("This record already exists.")))
        except (ApplicationError, PermissionDenied) as exc:
            errors.append(error(number, None, getattr(exc, "code", "permission_denied"), str(exc)))
    return created, errors


def _validation_errors(number: int, exc: ValidationError, columns: list[str]) -> list[dict]:
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    found = []
    for name, items in errors.items():
        column = name if name in columns else None
        unique = any(item.code in ("unique", "unique_together") for item in items)
        texts = [message for item in items for message in item.messages]
        code = "already_recorded" if unique else "invalid_value"
        found.append(error(number, column, code, " ".join(texts)))
    return found
