"""Writes of surveillance (DESIGN.md §6, §8): inspections, stability tests, condition changes,
bans and constraints, shelf-life extensions. Called alike by the web UI, the API and Celery.

A lot's condition is one fact about the lot, wherever it is held; a change is posted as a
condition-change document (no lines) in every depot that holds the lot, so each depot's books
show it. Depot inspectors may make a lot worse anywhere (safety first) but may improve it only
when every depot holding it is theirs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import system_user
from alerts.services import alert_raise
from audit.services import audit_download
from core.roles import Action
from core.scoping import action_depot_ids, can, require, require_any
from core.validation import date_not_future
from inventory import policy as inventory_policy
from inventory.models import (
    AmmunitionType,
    Balance,
    Ban,
    ConditionCode,
    Depot,
    Document,
    Lot,
    Storehouse,
)
from inventory.models.reference import Availability
from inventory.services import bans
from inventory.services.conditions import lot_condition_post
from inventory.services.lots import add_months
from surveillance import policy
from surveillance.errors import LotHeldElsewhere
from surveillance.models import (
    PASS_FAIL_METHODS,
    ConditionChange,
    Inspection,
    InspectionAttachment,
    InspectionInterval,
    LotSurveillance,
    ShelfLifeExtension,
    StabilityCategory,
    StabilityMethod,
    StabilityPolicyBand,
    StabilityTest,
)

AVAILABILITY_RANK = {
    Availability.ISSUABLE: 0,
    Availability.RESTRICTED: 1,
    Availability.SUSPENDED: 2,
    Availability.UNSERVICEABLE: 3,
}

# Attachments: what a photo or a scanned form may be, recognised by its first bytes (the name and
# the browser's content type are the uploader's claims, not facts).
ATTACHMENT_SIGNATURES = {
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"%PDF-": ("application/pdf", ".pdf"),
}


# --- Scope --------------------------------------------------------------------------------------


def _holding_depot_ids(lot: Lot) -> set[int]:
    return set(Balance.objects.filter(lot=lot, quantity__gt=0).values_list("depot_id", flat=True))


def _known_depot_ids(lot: Lot) -> set[int]:
    """Depots whose books know the lot (a balance row, even at zero)."""
    return set(Balance.objects.filter(lot=lot).values_list("depot_id", flat=True))


def _require_lot_in_depot(lot: Lot, depot: Depot) -> None:
    if depot.pk not in _known_depot_ids(lot):
        raise ValidationError(
            {
                "lot": [
                    _("Lot %(lot)s is not held in %(depot)s.") % {"lot": lot, "depot": depot.code}
                ]
            }
        )


# --- Condition changes --------------------------------------------------------------------------


def _is_downgrade(current: str, target: str, availability: dict[str, str]) -> bool:
    """Does moving from `current` to `target` make the lot less available (or condemn it)?"""
    now, then = AVAILABILITY_RANK[availability[current]], AVAILABILITY_RANK[availability[target]]
    if then != now:
        return then > now
    # Within one availability: an issuable lot given a priority-issue code, or an unserviceable
    # lot condemned, is the policy's downgrade; anything else is a reclassification.
    return target != current


@transaction.atomic
def condition_change_post(
    *,
    lot: Lot,
    condition: str,
    reason: str,
    depot: Depot,
    posted_by: User,
    authority_reference: str = "",
    occurred_on: date | None = None,
    inspection: Inspection | None = None,
    stability_test: StabilityTest | None = None,
    automatic: bool = False,
) -> list[Document]:
    """Change a lot's condition: one condition-change document in each depot holding the lot
    (and in `depot`, where the decision was made). `automatic` posts as the system user on
    behalf of `posted_by` and only ever downgrades (DESIGN.md §8): no change, no document."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    availability = inventory_policy.availability_by_condition()
    if condition not in availability:
        raise ValidationError({"condition": [_("Unknown condition code.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the condition changes.")]})
    require(posted_by, Action.RECORD_SURVEILLANCE, depot.pk)
    current = lot.condition_id
    if condition == current:
        if automatic:
            return []
        raise ValidationError(
            {
                "condition": [
                    _("Lot %(lot)s is already in condition %(c)s.") % {"lot": lot, "c": current}
                ]
            }
        )
    downgrade = _is_downgrade(current, condition, availability)
    if automatic and not downgrade:
        return []
    depot_ids = _holding_depot_ids(lot) | {depot.pk}
    if not downgrade:
        allowed = action_depot_ids(posted_by, Action.RECORD_SURVEILLANCE)
        outside = depot_ids - allowed if allowed is not None else set()
        if outside:
            codes = sorted(Depot.objects.filter(pk__in=outside).values_list("code", flat=True))
            raise LotHeldElsewhere(
                _(
                    "Lot %(lot)s is also held in %(depots)s, outside your depots: split the lot, "
                    "or ask a national inspector to change its condition."
                )
                % {"lot": lot, "depots": ", ".join(codes)},
                depots=codes,
            )
    poster, on_behalf_of = (system_user(), posted_by) if automatic else (posted_by, None)
    documents = lot_condition_post(
        lot=lot,
        condition=condition,
        depot_ids=depot_ids,
        posted_by=poster,
        on_behalf_of=on_behalf_of,
        occurred_on=occurred_on,
        note=reason.strip(),
        reference=authority_reference.strip() or lot.lot_number,
    )
    ConditionChange.objects.bulk_create(
        ConditionChange(
            document=document,
            lot=lot,
            from_condition=current,
            to_condition=condition,
            authority_reference=authority_reference.strip(),
            inspection=inspection,
            stability_test=stability_test,
        )
        for document in documents
    )
    return documents


# --- Inspections ----------------------------------------------------------------------------------


def inspection_interval_months(ammunition_type: AmmunitionType) -> int:
    interval = InspectionInterval.objects.filter(ammunition_type=ammunition_type).first()
    if interval is not None:
        return interval.months
    return int(policy.setting("inspection_interval_months"))


def _surveillance_row_advance(lot: Lot, latest: str, on: date, **values) -> None:
    """Record on the lot's surveillance row a record made `on` (`latest` names the row's date
    field for that record, `values` the fields it sets), unless the row has a later one: records
    may be entered out of order."""
    row, _created = LotSurveillance.objects.select_for_update().get_or_create(lot=lot)
    last = getattr(row, latest)
    if last is None or on >= last:
        for field, value in {latest: on, **values}.items():
            setattr(row, field, value)
        row.save(update_fields=[latest, *values])


@transaction.atomic
def inspection_record(
    *,
    lot: Lot,
    depot: Depot,
    kind: str,
    inspected_on: date,
    sample_size: int,
    findings: str,
    condition: str,
    inspector: User,
    storehouse: Storehouse | None = None,
    authority_reference: str = "",
    attachments: Sequence = (),
) -> Inspection:
    """Record an inspection (IATG 07.20). A condition other than the lot's posts a condition
    change; the next inspection falls due after the type's interval."""
    require(inspector, Action.RECORD_SURVEILLANCE, depot.pk)
    lot = Lot.objects.select_related("ammunition_type").get(pk=lot.pk)
    _require_lot_in_depot(lot, depot)
    if storehouse is not None and storehouse.depot_id != depot.pk:
        raise ValidationError({"storehouse": [_("The storehouse is not in this depot.")]})
    date_not_future("inspected_on", inspected_on)
    if inspected_on < lot.manufactured_on:
        raise ValidationError({"inspected_on": [_("The lot was not yet made on that date.")]})
    if not findings.strip():
        raise ValidationError({"findings": [_("Record what the inspection found.")]})
    if sample_size <= 0:
        raise ValidationError({"sample_size": [_("The sample is at least one unit.")]})
    if not ConditionCode.objects.filter(code=condition).exists():
        raise ValidationError({"condition": [_("Unknown condition code.")]})
    inspection = Inspection.objects.create(
        lot=lot,
        depot=depot,
        storehouse=storehouse,
        kind=kind,
        inspected_on=inspected_on,
        inspector=inspector,
        sample_size=sample_size,
        findings=findings.strip(),
        condition_id=condition,
        next_due_on=add_months(inspected_on, inspection_interval_months(lot.ammunition_type)),
    )
    for upload in attachments:
        attachment_add(inspection=inspection, upload=upload, uploaded_by=inspector)
    if condition != lot.condition_id:
        condition_change_post(
            lot=lot,
            condition=condition,
            reason=_("%(kind)s on %(day)s: %(findings)s")
            % {"kind": inspection.get_kind_display(), "day": inspected_on, "findings": findings},
            depot=depot,
            posted_by=inspector,
            authority_reference=authority_reference,
            inspection=inspection,
        )
    _surveillance_row_advance(
        lot, "last_inspected_on", inspected_on, next_inspection_due=inspection.next_due_on
    )
    return inspection


def attachment_add(*, inspection: Inspection, upload, uploaded_by: User) -> InspectionAttachment:
    """Keep a photo or scanned form (JPEG, PNG or PDF, recognised by content; size-limited)."""
    require(uploaded_by, Action.RECORD_SURVEILLANCE, inspection.depot_id)
    limit = settings.STOCKPILE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "attachments": [
                    _("%(name)s is %(size)s bytes; the limit is %(limit)s.")
                    % {"name": upload.name, "size": upload.size, "limit": limit}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(16)
    kind = next(
        (found for signature, found in ATTACHMENT_SIGNATURES.items() if head.startswith(signature)),
        None,
    )
    if kind is None or upload.size == 0:
        raise ValidationError(
            {"attachments": [_("%(name)s is not a JPEG, PNG or PDF file.") % {"name": upload.name}]}
        )
    content_type, extension = kind
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = InspectionAttachment(
        inspection=inspection,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=uploaded_by,
    )
    # Stored under a name of our making: the uploader's name is kept, never used as a path.
    attachment.file.save(f"{digest.hexdigest()[:32]}{extension}", upload, save=False)
    attachment.save()
    return attachment


# --- Stability tests ----------------------------------------------------------------------------


def _check_stability_input(
    method: str, initial: Decimal | None, measured: Decimal | None, passed: bool | None
) -> None:
    if method not in StabilityMethod.values:
        raise ValidationError({"method": [_("Unknown method.")]})
    if method in PASS_FAIL_METHODS:
        if passed is None:
            raise ValidationError({"passed": [_("This method gives a pass or a fail.")]})
        if initial is not None or measured is not None:
            raise ValidationError(
                {"method": [_("A pass/fail method reports no stabiliser content.")]}
            )
        return
    if passed is not None:
        raise ValidationError({"passed": [_("This method reports a stabiliser content.")]})
    errors = {}
    if initial is None or initial <= 0:
        errors["initial_content_pct"] = [_("The initial content is a percentage above zero.")]
    if measured is None or measured < 0:
        errors["measured_content_pct"] = [_("The measured content is a percentage, zero or more.")]
    for field, value in (("initial_content_pct", initial), ("measured_content_pct", measured)):
        if value is not None and value > 100:
            errors[field] = [_("A content is at most 100 %.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def stability_test_record(
    *,
    lot: Lot,
    depot: Depot,
    sampled_on: date,
    laboratory: str,
    method: str,
    tested_by: User,
    stabiliser: str = "",
    initial_content_pct: Decimal | None = None,
    measured_content_pct: Decimal | None = None,
    passed: bool | None = None,
    note: str = "",
) -> StabilityTest:
    """Record a propellant stability test (IATG 07.10) and act on it through the policy table:
    the category, the next test, and a condition change posted by the system user when the
    result calls for one (an unstable lot is condemned and raises a critical alert)."""
    require(tested_by, Action.RECORD_SURVEILLANCE, depot.pk)
    lot = Lot.objects.select_related("ammunition_type").get(pk=lot.pk)
    if not lot.ammunition_type.contains_propellant:
        raise ValidationError({"lot": [_("Lot %(lot)s holds no propellant.") % {"lot": lot}]})
    _require_lot_in_depot(lot, depot)
    date_not_future("sampled_on", sampled_on)
    if sampled_on < lot.manufactured_on:
        raise ValidationError({"sampled_on": [_("The lot was not yet made on that date.")]})
    if not laboratory.strip():
        raise ValidationError({"laboratory": [_("Name the laboratory.")]})
    _check_stability_input(method, initial_content_pct, measured_content_pct, passed)
    remaining = None
    if passed is None:
        exact = measured_content_pct * 100 / initial_content_pct
        remaining = exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    else:
        exact = None
    outcome = policy.stability_outcome(
        remaining_pct=exact, measured_pct=measured_content_pct, passed=passed, method=method
    )
    test = StabilityTest.objects.create(
        lot=lot,
        depot=depot,
        sampled_on=sampled_on,
        laboratory=laboratory.strip(),
        method=method,
        stabiliser=stabiliser.strip(),
        initial_content_pct=initial_content_pct,
        measured_content_pct=measured_content_pct,
        passed=passed,
        remaining_pct=remaining,
        category=outcome.category,
        action=outcome.action,
        resulting_condition=outcome.condition,
        next_test_due=(
            add_months(sampled_on, outcome.retest_months) if outcome.retest_months else None
        ),
        # The deadline runs from the sample: the propellant was that unstable when sampled,
        # however long the laboratory or the data entry took (DESIGN.md §8).
        dispose_by=(
            sampled_on + timedelta(days=outcome.dispose_within_days)
            if outcome.dispose_within_days
            else None
        ),
        tested_by=tested_by,
        note=note.strip(),
    )
    if outcome.condition:
        # The result is about the propellant of the lot and of every lot split from it that is
        # still held (DESIGN.md §5: a child inherits its ancestors' tests).
        held_children = Lot.objects.filter(
            ancestry__contains=[lot.pk], balances__quantity__gt=0
        ).distinct()
        for each in [lot, *held_children.order_by("pk")]:
            condition_change_post(
                lot=each,
                condition=outcome.condition,
                reason=_("Stability test of %(day)s: %(category)s (%(action)s)")
                % {
                    "day": sampled_on,
                    "category": test.get_category_display(),
                    "action": test.action,
                },
                depot=depot,
                posted_by=tested_by,
                authority_reference=f"{test.laboratory}",
                stability_test=test,
                automatic=True,
            )
    _surveillance_row_advance(
        lot,
        "last_stability_test_on",
        sampled_on,
        last_stability_category=outcome.category,
        next_stability_test_due=test.next_test_due,
    )
    if outcome.category == StabilityCategory.UNSTABLE:
        _raise_unstable_alert(test)
    return test


@transaction.atomic
def stability_tests_known_record(
    *,
    depot: Depot,
    known: Sequence[tuple[int, date, str]],
    recorded_by: User,
) -> int:
    """Record stability tests known only from paper records, as (lot id, tested on, category),
    when a depot's opening balances are imported (DESIGN.md §14): the lot's last test and its
    category, and the next test due by the policy band's retest interval, so old stock with a
    paper test record is not suspended as untested by the next sweep. No StabilityTest row is
    made (no laboratory result is on record); a later test already recorded is kept. The
    importer's right: whoever may record movements (the import) or surveillance in the depot.
    Returns the number of lots whose record changed."""
    require_any(recorded_by, (Action.RECORD_MOVEMENT, Action.RECORD_SURVEILLANCE), depot.pk)
    if not known:
        return 0
    retest = dict(StabilityPolicyBand.objects.values_list("category", "retest_months"))
    today = timezone.localdate()
    lots = Lot.objects.select_related("ammunition_type").in_bulk({lot for lot, _d, _c in known})
    for lot_id, tested_on, category in known:
        lot = lots.get(lot_id)
        if lot is None or not lot.ammunition_type.contains_propellant:
            raise ValidationError({"lot": [_("Lot %(lot)s holds no propellant.") % {"lot": lot}]})
        if category not in StabilityCategory.values:
            raise ValidationError({"stability_category": [_("Unknown stability category.")]})
        if tested_on > today or tested_on < lot.manufactured_on:
            raise ValidationError(
                {"last_stability_test_on": [_("The test date is outside the lot's life.")]}
            )
    rows = LotSurveillance.objects.select_for_update().in_bulk(
        sorted({lot_id for lot_id, _d, _c in known})
    )
    changed: dict[int, LotSurveillance] = {}
    for lot_id, tested_on, category in known:
        row = changed.get(lot_id) or rows.get(lot_id) or LotSurveillance(lot_id=lot_id)
        if row.last_stability_test_on is not None and row.last_stability_test_on > tested_on:
            continue
        months = retest.get(category)
        row.last_stability_test_on = tested_on
        row.last_stability_category = category
        row.next_stability_test_due = add_months(tested_on, months) if months else None
        changed[lot_id] = row
    fields = ["last_stability_test_on", "last_stability_category", "next_stability_test_due"]
    LotSurveillance.objects.bulk_create(
        list(changed.values()),
        update_conflicts=True,
        unique_fields=["lot"],
        update_fields=fields,
        batch_size=2000,
    )
    return len(changed)


def _raise_unstable_alert(test: StabilityTest) -> None:
    """A critical alert now, not at the next sweep; it stays open while the lot is in stock."""

    alert_raise(
        kind="stability_unstable",
        severity="critical",
        depot_id=test.depot_id,
        lot_id=test.lot_id,
        message=_("Lot %(lot)s is unstable (stability test of %(day)s): dispose by %(by)s.")
        % {"lot": test.lot, "day": test.sampled_on, "by": test.dispose_by},
        details={"stability_test": test.pk, "dispose_by": str(test.dispose_by)},
    )


# --- Bans and constraints -----------------------------------------------------------------------


def _require_ban_scope(user: User, *, lot: Lot | None, ammunition_type: AmmunitionType | None):
    """Imposing. A type's ban is national: national inspectors and admins. A lot's: an
    inspector of a depot whose books hold the lot (stopping issue is never too cautious)."""
    allowed = action_depot_ids(user, Action.RECORD_SURVEILLANCE)
    if allowed is None:
        require(user, Action.RECORD_SURVEILLANCE)
        return
    if lot is None or not allowed or not (_known_depot_ids(lot) & allowed):
        raise PermissionDenied(
            _("Only a national inspector bans a whole type.")
            if lot is None
            else _("Your role does not allow this action here.")
        )
    require(user, Action.RECORD_SURVEILLANCE, min(_known_depot_ids(lot) & allowed))


def _binding_depot_ids(lot: Lot | None) -> set[int] | None:
    """The depots a decision about `lot` binds: those whose books know the lot or a lot split
    from it (a ban binds its children too). None (every depot) for a whole type."""
    if lot is None:
        return None
    lot_ids, frontier = {lot.pk}, {lot.pk}
    while frontier:
        frontier = set(Lot.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier -= lot_ids
        lot_ids |= frontier
    return set(Balance.objects.filter(lot_id__in=lot_ids).values_list("depot_id", flat=True))


def _require_binding_scope(user: User, depot_ids: set[int] | None) -> None:
    """Lifting a ban or extending a shelf life frees a lot wherever it is held. An inspector
    decides it only when every depot it binds is in their scope (a national inspector always);
    otherwise it is for an officer or an administrator (issue 15). Vetting applies either way."""
    allowed = action_depot_ids(user, Action.RECORD_SURVEILLANCE)
    if allowed is None or (depot_ids and allowed and depot_ids <= allowed):
        require(user, Action.RECORD_SURVEILLANCE, None if allowed is None else min(depot_ids))
        return
    if can(user, Action.MANAGE_OVERSIGHT):
        require(user, Action.MANAGE_OVERSIGHT)
        return
    raise PermissionDenied(
        _(
            "This decision binds depots outside your scope: an officer, an administrator or a "
            "national inspector takes it."
        )
    )


def may_decide_nationally(user: User) -> bool:
    """May the user lift bans or extend shelf lives beyond their own depots (officers,
    administrators, national inspectors)? For pages and endpoints that offer the action."""
    return action_depot_ids(user, Action.RECORD_SURVEILLANCE) is None or can(
        user, Action.MANAGE_OVERSIGHT
    )


@transaction.atomic
def ban_impose(
    *,
    kind: str,
    reason: str,
    reference: str,
    imposed_by: User,
    lot: Lot | None = None,
    ammunition_type: AmmunitionType | None = None,
    permitted_recipient_kinds: Iterable[str] = (),
    disposal_recommended: bool = False,
) -> Ban:
    """Ban (no issue) or constrain (limited use) a lot or a whole type until lifted. A ban whose
    remedy is disposal (`disposal_recommended`) makes the serviceable stock it binds surplus
    (DESIGN.md §9); a temporary ban does not."""
    bans.ban_subject_check(kind=kind, lot=lot, ammunition_type=ammunition_type)
    _require_ban_scope(imposed_by, lot=lot, ammunition_type=ammunition_type)
    return bans.ban_create(
        kind=kind,
        lot=lot,
        ammunition_type=ammunition_type,
        reason=reason,
        reference=reference,
        permitted_recipient_kinds=permitted_recipient_kinds,
        disposal_recommended=disposal_recommended,
        imposed_by=imposed_by,
    )


@transaction.atomic
def ban_lift(*, ban: Ban, reason: str, lifted_by: User) -> Ban:
    ban = bans.ban_lock(ban)
    _require_binding_scope(lifted_by, _binding_depot_ids(ban.lot))
    return bans.ban_mark_lifted(ban=ban, reason=reason, lifted_by=lifted_by)


# --- Shelf life ----------------------------------------------------------------------------------


@transaction.atomic
def shelf_life_extend(
    *,
    lot: Lot,
    new_expires_on: date,
    reason: str,
    decided_by: User,
    inspection: Inspection | None = None,
    stability_test: StabilityTest | None = None,
) -> ShelfLifeExtension:
    """Extend a lot's expiry on the strength of an inspection or a stability test of that lot
    (DESIGN.md §8): an inspector's decision, in the depot where the evidence was recorded, when
    their scope covers every depot holding the lot; else an officer's or an administrator's."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    evidence = inspection or stability_test
    if evidence is None:
        raise ValidationError(
            {"inspection": [_("Name the inspection or stability test that justifies it.")]}
        )
    if not can(decided_by, Action.MANAGE_OVERSIGHT):
        require(decided_by, Action.RECORD_SURVEILLANCE, evidence.depot_id)
    _require_binding_scope(decided_by, _known_depot_ids(lot))
    if evidence.lot_id != lot.pk:
        raise ValidationError({"inspection": [_("The evidence is about another lot.")]})
    if stability_test is not None and stability_test.category == StabilityCategory.UNSTABLE:
        raise ValidationError({"stability_test": [_("An unstable result extends nothing.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the shelf life is extended.")]})
    if new_expires_on <= timezone.localdate():
        raise ValidationError({"new_expires_on": [_("The new expiry is a date in the future.")]})
    if lot.expires_on is not None and new_expires_on <= lot.expires_on:
        raise ValidationError(
            {
                "new_expires_on": [
                    _("The new expiry is later than the current %(d)s.") % {"d": lot.expires_on}
                ]
            }
        )
    extension = ShelfLifeExtension.objects.create(
        lot=lot,
        previous_expires_on=lot.expires_on,
        new_expires_on=new_expires_on,
        inspection=inspection,
        stability_test=stability_test,
        reason=reason.strip(),
        decided_by=decided_by,
    )
    lot.expires_on = new_expires_on
    lot.expiry_overridden = True
    lot.save(update_fields=["expires_on", "expiry_overridden"])
    # The lots split from it are the same material: the extension counts for them (DESIGN.md
    # §5), never shortening an expiry one of them already has.
    Lot.objects.filter(ancestry__contains=[lot.pk], expires_on__lt=new_expires_on).update(
        expires_on=new_expires_on, expiry_overridden=True
    )
    return extension


def attachment_download_record(attachment: InspectionAttachment, request) -> None:
    """Downloads of inspection evidence are in the audit log (who took which file, from where)."""
    audit_download(
        request,
        attachment,
        name=attachment.original_name,
        detail=f"inspection {attachment.inspection_id}",
    )
