"""Writes of reference data: depots, storehouses, licences, ammunition types, recipients, waivers,
and new versions of the mixing matrix.

Each function is one transaction, checks the caller's role and depot scope, validates the model
(`full_clean`) and the rules of DESIGN.md §3 and §4 before writing anything, and raises Django's
ValidationError for bad input (the API answers 400) or PermissionDenied (403). The history row
of each change names the user who made it, whether or not a request is running.
"""

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.history import history_save
from core.roles import Action
from core.scoping import require
from inventory import hooks
from inventory.models import (
    AmmunitionType,
    Balance,
    Depot,
    Licence,
    LicenceLimit,
    MixingCell,
    MixingMatrixVersion,
    Recipient,
    Storehouse,
    Waiver,
)
from inventory.models.reference import LICENSABLE_DIVISIONS, STOREHOUSE_DEFAULT_KIND
from inventory.policy import hd_1_2_threshold_kg
from inventory.rules import (
    COMPATIBILITY_GROUPS,
    MIXING_NOTES,
    MixingMatrix,
    hazard_code_is_legal,
    hazard_subdivision_1_2_contradiction,
    per_item_kg,
)
from inventory.selectors.reference import policy_legal_hazard_codes

_Row = TypeVar("_Row", bound=Model)


def _validated_save(instance: _Row, *, by: User) -> _Row:
    """Validate a new row (`full_clean`: fields, uniqueness, constraints), then save it with `by`
    named on its history row."""
    instance.full_clean()
    return history_save(instance, by=by)


@transaction.atomic
def depot_create(*, code: str, name: str, region: str, created_by: User) -> Depot:
    """Create a depot (administrators only)."""
    require(created_by, Action.MANAGE_REFERENCE)
    depot = Depot(code=code, name=name, region=region)
    depot.full_clean()
    depot.save()
    return depot


@transaction.atomic
def storehouse_create(
    *,
    depot: Depot,
    code: str,
    name: str,
    kind: str = STOREHOUSE_DEFAULT_KIND,
    is_active: bool = True,
    created_by: User,
) -> Storehouse:
    """Create a storehouse of a depot (administrators only). Its code is unique in the depot;
    its kind is an above-ground storehouse unless given."""
    require(created_by, Action.MANAGE_REFERENCE, depot.pk)
    return _validated_save(
        Storehouse(depot=depot, code=code, name=name, kind=kind, is_active=is_active),
        by=created_by,
    )


@transaction.atomic
def licence_create(
    *,
    storehouse: Storehouse,
    number: str,
    valid_from: date,
    valid_until: date,
    limits: Mapping[str, Decimal | None],
    issuing_authority: str = "",
    created_by: User,
) -> Licence:
    """Record an explosive licence with its NEQ limit per hazard division (DESIGN.md §4 rule 3).

    `limits` maps a licensable division (1.1, 1.2.1, 1.2.2, 1.3, 1.4) to a maximum NEQ in kg, or
    None for unlimited; a division left out is not permitted. A storehouse has at most one
    licence in force on any day: a licence whose period overlaps another of the same storehouse
    is refused. The storehouse row is locked first, so two concurrent creations cannot both pass.
    """
    require(created_by, Action.MANAGE_REFERENCE, storehouse.depot_id)
    storehouse = (
        Storehouse.objects.select_for_update(of=("self",))
        .select_related("depot")
        .get(pk=storehouse.pk)
    )
    licence = Licence(
        storehouse=storehouse,
        number=number,
        issuing_authority=issuing_authority,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    licence.full_clean(validate_constraints=False)
    if valid_until < valid_from:
        raise ValidationError({"valid_until": "A licence cannot end before it starts."})
    licence_limits = _licence_limits(licence, limits)
    overlapping = (
        Licence.objects.filter(
            storehouse=storehouse, valid_from__lte=valid_until, valid_until__gte=valid_from
        )
        .order_by("valid_from")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: (
                    f"Storehouse {storehouse} already has licence {overlapping.number} valid from "
                    f"{overlapping.valid_from:%Y-%m-%d} to {overlapping.valid_until:%Y-%m-%d}; "
                    f"a storehouse may have only one licence in force on any day."
                )
            }
        )
    licence.validate_constraints()
    history_save(licence, by=created_by)
    for limit in licence_limits:
        limit.licence = licence
    bulk_create_with_history(licence_limits, LicenceLimit, default_user=created_by)
    hooks.licence_changed(storehouse_ids={storehouse.pk})
    return licence


@transaction.atomic
def licence_limits_replace(
    *, licence: Licence, limits: Mapping[str, Decimal | None], changed_by: User, reason: str
) -> Licence:
    """A new version of a licence: its limits become `limits` (same meaning as in
    `licence_create`), the period and number unchanged. The old limits stay in the history
    (the licence's own history row records `reason`), so the version in force on any day can be
    shown. The storehouse row is locked first, like licence_create and the postings that read
    the limits."""
    require(changed_by, Action.MANAGE_REFERENCE, licence.storehouse.depot_id)
    Storehouse.objects.select_for_update(of=("self",)).filter(pk=licence.storehouse_id).first()
    licence = Licence.objects.select_related("storehouse__depot").get(pk=licence.pk)
    rows = _licence_limits(licence, limits)
    current = {limit.hazard_division: limit for limit in licence.limits.all()}
    for division, limit in current.items():
        if division not in limits:
            limit._history_user = changed_by
            limit._change_reason = reason
            limit.delete()
    for row in rows:
        limit = current.get(row.hazard_division)
        if limit is None:
            limit = row
        elif limit.max_neq_kg == row.max_neq_kg:
            continue
        else:
            limit.max_neq_kg = row.max_neq_kg
        limit._history_user = changed_by
        limit._change_reason = reason
        limit.save()
    licence._history_user = changed_by
    licence._change_reason = reason
    licence.save()
    hooks.licence_changed(storehouse_ids={licence.storehouse_id})
    return licence


def _licence_limits(licence: Licence, limits: Mapping[str, Decimal | None]) -> list[LicenceLimit]:
    """The validated limit rows of a licence not yet saved; ValidationError on `limits`."""
    errors: list[str] = []
    rows: list[LicenceLimit] = []
    for division, max_neq_kg in sorted(limits.items()):
        if division not in LICENSABLE_DIVISIONS:
            errors.append(
                f"{division!r} is not a licensable hazard division; use "
                f"{', '.join(LICENSABLE_DIVISIONS)} (1.5 and 1.6 are licensed as 1.1)."
            )
            continue
        row = LicenceLimit(licence=licence, hazard_division=division, max_neq_kg=max_neq_kg)
        try:
            row.full_clean(exclude=["licence"], validate_constraints=False)
        except ValidationError as exc:
            errors.extend(f"HD {division}: {message}" for message in exc.messages)
            continue
        rows.append(row)
    if errors:
        raise ValidationError({"limits": errors})
    return rows


@transaction.atomic
def ammunition_type_create(
    *,
    code: str,
    name: str,
    category: str,
    hazard_division: str,
    compatibility_group: str,
    neq_per_unit_kg: Decimal,
    calibre: str = "",
    unit: str = "round",
    items_per_unit: int = 1,
    packaging: str = "",
    shelf_life_months: int | None = None,
    contains_propellant: bool = False,
    shaped_charge: bool = False,
    high_energy_propellant: bool = False,
    obsolete: bool = False,
    assembles_to: Sequence[AmmunitionType] = (),
    created_by: User,
) -> AmmunitionType:
    """Create an ammunition type (administrators only).

    Its hazard code (division + compatibility group) must be one of the legal codes of the
    HazardCode policy table; 1.2.1 and 1.2.2 are checked as 1.2, and the sub-division must be
    the one its HE per item calls for (`ammunition_type_subdivision_check`). NEQ is per unit of
    issue, which holds `items_per_unit` items (1 unless given). `assembles_to` (CG B types only)
    names the types its items are fitted to (note n1).
    """
    require(created_by, Action.MANAGE_REFERENCE)
    ammunition_type = AmmunitionType(
        code=code,
        name=name,
        category=category,
        calibre=calibre,
        hazard_division=hazard_division,
        compatibility_group=compatibility_group,
        neq_per_unit_kg=neq_per_unit_kg,
        unit=unit,
        items_per_unit=items_per_unit,
        packaging=packaging,
        shelf_life_months=shelf_life_months,
        contains_propellant=contains_propellant,
        shaped_charge=shaped_charge,
        high_energy_propellant=high_energy_propellant,
        obsolete=obsolete,
    )
    ammunition_type.full_clean()
    if not hazard_code_is_legal(hazard_division, compatibility_group, policy_legal_hazard_codes()):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: (
                    f"{hazard_division}{compatibility_group} is not a legal UN hazard code: "
                    f"compatibility group {compatibility_group} does not occur in hazard "
                    f"division {hazard_division}."
                )
            }
        )
    ammunition_type_subdivision_check(
        hazard_division=hazard_division,
        neq_per_unit_kg=ammunition_type.neq_per_unit_kg,
        items_per_unit=items_per_unit,
    )
    assembles_to_check(compatibility_group, assembles_to)
    history_save(ammunition_type, by=created_by)
    if assembles_to:
        ammunition_type.assembles_to.set(assembles_to)
    return ammunition_type


def ammunition_type_subdivision_check(
    *, hazard_division: str, neq_per_unit_kg: Decimal, items_per_unit: int
) -> None:
    """A new HD 1.2 type's storage sub-division agrees with its HE per item (NEQ per unit of
    issue / items per unit) and the policy threshold `hd_1_2_threshold_kg` (DESIGN.md §3; IATG
    2021: 0.136 kg): 1.2.1 above it, 1.2.2 at or below. ValidationError on `hazard_division`
    (400) naming the sub-division to use otherwise. Checked when a type is created only: types
    already recorded keep what they have."""
    he_per_item = per_item_kg(Decimal(neq_per_unit_kg), items_per_unit)
    threshold = hd_1_2_threshold_kg()
    suggested = hazard_subdivision_1_2_contradiction(hazard_division, he_per_item, threshold)
    if suggested is None:
        return
    relation = _("above") if suggested == "1.2.1" else _("at or below")
    raise ValidationError(
        {
            "hazard_division": _(
                "HE per item is %(he)s kg (NEQ per unit %(neq)s kg / %(items)s items per unit), "
                "%(relation)s the policy threshold of %(threshold)s kg: the storage "
                "sub-division is %(suggested)s, not %(division)s."
            )
            % {
                "he": _kg_text(he_per_item),
                "neq": _kg_text(Decimal(neq_per_unit_kg)),
                "items": items_per_unit,
                "relation": relation,
                "threshold": _kg_text(threshold),
                "suggested": suggested,
                "division": hazard_division,
            }
        }
    )


def _kg_text(value: Decimal) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def assembles_to_check(compatibility_group: str, hosts: Sequence[AmmunitionType]) -> None:
    """Note n1 (DESIGN.md §4): only CG B items (fuzes, detonators) are recorded as assembling to
    other types. ValidationError (400) otherwise."""
    if hosts and compatibility_group != "B":
        raise ValidationError(
            {
                "assembles_to": _(
                    "Only compatibility group B types (fuzes, detonators) are recorded as "
                    "assembling to other types (note n1)."
                )
            }
        )


def ammunition_type_reclassification_check(
    ammunition_type: AmmunitionType, *, hazard_division: str, compatibility_group: str
) -> None:
    """A type's hazard division or compatibility group does not change while any of its stock
    is held: every storehouse holding it was checked (DESIGN.md §4) under the classification it
    has. ValidationError naming the storehouses otherwise; move the stock out first (or
    dispose of it), then reclassify."""
    if ammunition_type.pk is None:
        return
    current = AmmunitionType.objects.filter(pk=ammunition_type.pk).values_list(
        "hazard_division", "compatibility_group"
    )
    if not current or tuple(current[0]) == (hazard_division, compatibility_group):
        return
    held = sorted(
        set(
            Balance.objects.filter(lot__ammunition_type=ammunition_type, quantity__gt=0)
            .values_list("storehouse__depot__code", "storehouse__code")
            .distinct()
        )
    )
    if held:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "%(type)s is held in %(storehouses)s: its hazard division and compatibility "
                    "group do not change while stock is held (the storage rules were checked "
                    "under the present classification)."
                )
                % {
                    "type": ammunition_type.code,
                    "storehouses": ", ".join(f"{d}/{s}" for d, s in held[:10]),
                }
            }
        )


@transaction.atomic
def ammunition_type_assembles_to_set(
    *, ammunition_type: AmmunitionType, hosts: Sequence[AmmunitionType], changed_by: User
) -> AmmunitionType:
    """Record the types a CG B type is fitted to (note n1), replacing what was recorded; the
    change is kept in the type's history (administrators only)."""
    require(changed_by, Action.MANAGE_REFERENCE)
    ammunition_type = AmmunitionType.objects.select_for_update().get(pk=ammunition_type.pk)
    assembles_to_check(ammunition_type.compatibility_group, hosts)
    if any(host.pk == ammunition_type.pk for host in hosts):
        raise ValidationError({"assembles_to": _("A type is not fitted to itself.")})
    ammunition_type._history_user = changed_by
    ammunition_type.assembles_to.set(hosts)
    return ammunition_type


@transaction.atomic
def recipient_create(
    *,
    code: str,
    name: str,
    kind: str,
    depot: Depot | None = None,
    permitted_restricted: bool = False,
    is_active: bool = True,
    created_by: User,
) -> Recipient:
    """Add a unit or agency to the register of recipients (officers and administrators)."""
    require(created_by, Action.MANAGE_RECIPIENTS, depot.pk if depot is not None else None)
    return _validated_save(
        Recipient(
            code=code,
            name=name,
            kind=kind,
            depot=depot,
            permitted_restricted=permitted_restricted,
            is_active=is_active,
        ),
        by=created_by,
    )


@transaction.atomic
def waiver_create(
    *,
    storehouse: Storehouse,
    rule: str,
    reason: str,
    authority_reference: str,
    expires_on: date,
    recorded_by: User,
) -> Waiver:
    """Record a waiver of a waivable storage rule for a storehouse (DESIGN.md §4).

    Inspectors of the storehouse's depot (or national inspectors) and administrators only. The
    waiver must not already have expired.
    """
    require(recorded_by, Action.RECORD_WAIVER, storehouse.depot_id)
    if expires_on < timezone.localdate():
        raise ValidationError({"expires_on": _("A waiver cannot expire in the past.")})
    return _validated_save(
        Waiver(
            storehouse=storehouse,
            rule=rule,
            reason=reason,
            authority_reference=authority_reference,
            expires_on=expires_on,
            recorded_by=recorded_by,
        ),
        by=recorded_by,
    )


MIXING_VALUES = ("Y", "N", *MIXING_NOTES)


def mixing_matrix_parse(csv_text: str) -> dict[tuple[str, str], str]:
    """The cells of a mixing matrix written like inventory/reference/mixing_matrix.csv: a header
    "group" then one column per compatibility group, and one row per group.

    Raises ValidationError listing every problem found: an unknown, repeated or missing group
    (as a row or a column), a cell value other than Y, N or n1..n7, a cell that differs from its
    mirror across the diagonal, or a note where its meaning cannot apply.
    """
    errors: list[str] = []
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    table = [row for row in reader if any(cell.strip() for cell in row)]
    if not table:
        raise ValidationError([_("The file is empty.")])
    header = [cell.strip() for cell in table[0]]
    if not header or header[0] != "group":
        errors.append(_('The first column is headed "group".'))
    columns = header[1:]
    groups = ", ".join(COMPATIBILITY_GROUPS)
    for name in sorted(set(columns) - set(COMPATIBILITY_GROUPS)):
        errors.append(
            _("Column %(group)r is not a compatibility group (%(groups)s).")
            % {"group": name, "groups": groups}
        )
    for name in sorted({name for name in columns if columns.count(name) > 1}):
        errors.append(_("Column %(group)s is given twice.") % {"group": name})
    for name in COMPATIBILITY_GROUPS:
        if name not in columns:
            errors.append(_("Column %(group)s is missing.") % {"group": name})
    cells: dict[tuple[str, str], str] = {}
    rows_seen: list[str] = []
    for number, row in enumerate(table[1:], start=2):
        a = row[0].strip() if row else ""
        if a not in COMPATIBILITY_GROUPS:
            errors.append(
                _("Line %(line)s: row %(group)r is not a compatibility group (%(groups)s).")
                % {"line": number, "group": a, "groups": groups}
            )
            continue
        if a in rows_seen:
            errors.append(
                _("Line %(line)s: row %(group)s is given twice.") % {"line": number, "group": a}
            )
            continue
        rows_seen.append(a)
        values = [cell.strip() for cell in row[1:]]
        if len(values) != len(columns):
            errors.append(
                _("Line %(line)s: row %(group)s has %(count)s values for %(columns)s columns.")
                % {"line": number, "group": a, "count": len(values), "columns": len(columns)}
            )
            continue
        for b, value in zip(columns, values, strict=True):
            if b not in COMPATIBILITY_GROUPS:
                continue
            if value not in MIXING_VALUES:
                errors.append(
                    _("Cell %(a)s/%(b)s: %(value)r is not a mixing value (%(values)s).")
                    % {"a": a, "b": b, "value": value, "values": ", ".join(MIXING_VALUES)}
                )
                continue
            cells[(a, b)] = value
    for name in COMPATIBILITY_GROUPS:
        if name not in rows_seen:
            errors.append(_("Row %(group)s is missing.") % {"group": name})
    for (a, b), value in sorted(cells.items()):
        mirror = cells.get((b, a))
        if a < b and mirror is not None and mirror != value:
            errors.append(
                _("Not symmetric: cell %(a)s/%(b)s is %(value)s but %(b)s/%(a)s is %(mirror)s.")
                % {"a": a, "b": b, "value": value, "mirror": mirror}
            )
    if errors:
        raise ValidationError(errors)
    try:
        MixingMatrix(cells)  # where each note may stand (n1 with B, n5 with N, n6 N/N)
    except ValueError as exc:
        raise ValidationError([str(exc)]) from exc
    return cells


@transaction.atomic
def mixing_matrix_version_create(
    *,
    csv_text: str,
    effective_from: date,
    source: str,
    note: str = "",
    created_by: User | None = None,
) -> MixingMatrixVersion:
    """Load a new version of the mixing matrix (DESIGN.md §4 rule 1; national amendments).

    The matrix is validated whole (`mixing_matrix_parse`) before anything is written. The new
    version is numbered after the newest one and applies to movements dated from
    `effective_from`, which may not precede the newest version's own date (versions take effect
    in order). Earlier versions are never changed. `created_by` is the administrator asking, or
    None for the management command (run by whoever operates the server).
    """
    if created_by is not None:
        require(created_by, Action.MANAGE_REFERENCE)
    cells = mixing_matrix_parse(csv_text)
    source = source.strip()
    if not source:
        raise ValidationError({"source": [_("Name the source of the amended matrix.")]})
    # One loader at a time: the newest version row is locked, and the version number is unique.
    newest = MixingMatrixVersion.objects.select_for_update().order_by("-version").first()
    if newest is not None and effective_from < newest.effective_from:
        raise ValidationError(
            {
                "effective_from": [
                    _(
                        "Version %(version)s is effective from %(date)s: a new version takes "
                        "effect on that day or later."
                    )
                    % {"version": newest.version, "date": newest.effective_from.isoformat()}
                ]
            }
        )
    version = MixingMatrixVersion(
        version=(newest.version + 1) if newest is not None else 1,
        effective_from=effective_from,
        source=source[:200],
        note=note,
    )
    version.full_clean()
    version.save()
    MixingCell.objects.bulk_create(
        MixingCell(version=version, group_a=a, group_b=b, value=value)
        for (a, b), value in sorted(cells.items())
    )
    return version
