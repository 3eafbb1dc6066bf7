"""Surveillance services: stability policy, condition changes, inspections, bans, extensions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import DepotMembership, User
from inventory.errors import InvalidState, LotBanned, RecipientNotPermitted
from inventory.models import Ban, Document, LedgerLine, Lot
from inventory.services.lots import add_months
from inventory.services.posting import Movement, issue_post, lot_split
from inventory.services.reversals import document_reverse
from surveillance import services
from surveillance.errors import LotHeldElsewhere
from surveillance.models import (
    ConditionChange,
    Inspection,
    InspectionAttachment,
    LotDue,
    ShelfLifeExtension,
    StabilityPolicyBand,
    StabilityTest,
)

TODAY = timezone.localdate


def record_test(lot, depot, user, *, initial="1.00", measured=None, passed=None, method="hplc"):
    return services.stability_test_record(
        lot=lot,
        depot=depot,
        sampled_on=TODAY() - timedelta(days=3),
        laboratory="National Propellant Laboratory",
        method=method,
        stabiliser="DPA",
        initial_content_pct=None if passed is not None else Decimal(initial),
        measured_content_pct=None if passed is not None else Decimal(measured),
        passed=passed,
        tested_by=user,
    )


def counts():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        StabilityTest.objects.count(),
        Inspection.objects.count(),
        ConditionChange.objects.count(),
        Ban.objects.count(),
        ShelfLifeExtension.objects.count(),
    )


# --- The stability policy table ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measured", "category", "condition"),
    [
        ("1.00", "stable", "A"),
        ("0.60", "stable", "A"),  # 60 % is the lower bound of "stable", included
        ("0.5999", "monitor", "C"),  # just under 60 %
        ("0.40", "monitor", "C"),
        ("0.3999", "restricted", "C"),
        ("0.20", "restricted", "C"),  # 20 % included in "restricted", also exactly 0.2 % absolute
        ("0.1999", "unstable", "H"),
        ("0", "unstable", "H"),
    ],
)
def test_each_band_boundary_gives_its_category_and_condition(
    charge_lot, depot_a, inspector, measured, category, condition
):
    test = record_test(charge_lot, depot_a, inspector, measured=measured)
    charge_lot.refresh_from_db()
    assert test.category == category
    assert charge_lot.condition_id == condition


def test_absolute_content_below_minimum_is_unstable_whatever_remains(
    charge_lot, depot_a, inspector
):
    # 0.15 of an initial 0.2 is 75 % remaining, but below the 0.2 % absolute floor.
    test = record_test(charge_lot, depot_a, inspector, initial="0.20", measured="0.15")
    assert test.remaining_pct == Decimal("75.00")
    assert test.category == "unstable"


def test_remaining_is_measured_over_initial_and_retest_follows_the_band(
    charge_lot, depot_a, inspector
):
    test = record_test(charge_lot, depot_a, inspector, initial="1.50", measured="0.75")
    assert test.remaining_pct == Decimal("50.00")
    assert test.category == "monitor"
    assert test.next_test_due == add_months(test.sampled_on, 36)
    assert LotDue.objects.get(lot=charge_lot).stability_due == test.next_test_due


@pytest.mark.parametrize(("passed", "category"), [(True, "stable"), (False, "unstable")])
def test_pass_fail_methods_map_to_stable_or_unstable(
    charge_lot, depot_a, inspector, passed, category
):
    test = record_test(
        charge_lot, depot_a, inspector, passed=passed, method="heat_flow_calorimetry"
    )
    assert test.category == category
    assert test.remaining_pct is None


def test_changing_the_policy_table_changes_the_outcome(charge_lot, depot_a, inspector):
    # The national authority raises "stable" to 70 %: 65 % is now only "monitor".
    StabilityPolicyBand.objects.filter(category="stable").update(min_remaining_pct=70)
    StabilityPolicyBand.objects.filter(category="monitor").update(max_remaining_pct=70)
    test = record_test(charge_lot, depot_a, inspector, measured="0.65")
    assert test.category == "monitor"
    StabilityPolicyBand.objects.filter(category="monitor").update(retest_months=24)
    again = record_test(charge_lot, depot_a, inspector, measured="0.65")
    assert again.next_test_due == add_months(again.sampled_on, 24)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"initial": "0", "measured": "0.5"}, "initial_content_pct"),
        ({"initial": "1", "measured": "-0.1"}, "measured_content_pct"),
        ({"initial": "101", "measured": "1"}, "initial_content_pct"),
        ({"passed": True, "method": "hplc"}, "passed"),
    ],
)
def test_bad_stability_input_is_refused_and_writes_nothing(
    charge_lot, depot_a, inspector, kwargs, field
):
    before = counts()
    kwargs.setdefault("measured", "0.5")
    with pytest.raises(ValidationError) as refused:
        record_test(charge_lot, depot_a, inspector, **kwargs)
    assert field in refused.value.message_dict
    assert counts() == before


def test_a_lot_without_propellant_has_no_stability_test(world, clerk, inspector, depot_a):
    lot = world.lot(world.ball, "BALL-1")
    world.stock(clerk, lot, world.sh2, 100)
    with pytest.raises(ValidationError) as refused:
        record_test(lot, depot_a, inspector, measured="0.9")
    assert "lot" in refused.value.message_dict


def test_an_inspector_records_only_in_their_depots(charge_lot, depot_b, inspector):
    before = counts()
    with pytest.raises(PermissionDenied):
        record_test(charge_lot, depot_b, inspector, measured="0.9")
    assert counts() == before


# --- Automatic condition changes -----------------------------------------------------------------


def test_unstable_result_condemns_the_lot_in_every_depot_as_the_system_user(
    charge_lot, depot_a, depot_b, inspector
):
    test = record_test(charge_lot, depot_a, inspector, measured="0.1")
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "H"
    changes = ConditionChange.objects.filter(stability_test=test).select_related("document")
    assert sorted(change.document.depot_id for change in changes) == [depot_a.pk, depot_b.pk]
    for change in changes:
        assert (change.from_condition, change.to_condition) == ("A", "H")
        assert change.document.kind == "condition_change"
        assert change.document.posted_by.username == "system"
        assert change.document.on_behalf_of == inspector
        assert not change.document.lines.exists()
    # 90 days from the sample (3 days ago), not from the day the result was typed in.
    assert test.dispose_by == TODAY() - timedelta(days=3) + timedelta(days=90)
    assert LotDue.objects.get(lot=charge_lot).stability_due is None


def test_automatic_change_never_upgrades(charge_lot, depot_a, national_inspector, inspector):
    services.condition_change_post(
        lot=charge_lot,
        condition="B",
        reason="Restricted to ranges",
        depot=depot_a,
        posted_by=national_inspector,
    )
    documents = Document.objects.count()
    # "monitor" gives C (issuable): for a restricted lot that would be an upgrade.
    record_test(charge_lot, depot_a, inspector, measured="0.5")
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "B"
    assert Document.objects.count() == documents


def test_priority_issue_downgrades_a_serviceable_lot_once(charge_lot, depot_a, inspector):
    record_test(charge_lot, depot_a, inspector, measured="0.5")
    documents = Document.objects.count()
    record_test(charge_lot, depot_a, inspector, measured="0.45")
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "C"
    assert Document.objects.count() == documents  # already C: no second change


# --- Manual condition changes --------------------------------------------------------------------


def test_depot_inspector_may_condemn_a_lot_held_elsewhere_too(charge_lot, depot_a, inspector):
    documents = services.condition_change_post(
        lot=charge_lot,
        condition="D",
        reason="Corroded cases",
        depot=depot_a,
        posted_by=inspector,
        authority_reference="ATO-2026-14",
    )
    assert len(documents) == 2
    assert {d.posted_by_id for d in documents} == {inspector.pk}
    assert all(d.reference == "ATO-2026-14" for d in documents)


def test_depot_inspector_may_not_improve_stock_held_outside_their_depots(
    charge_lot, depot_a, inspector, national_inspector
):
    services.condition_change_post(
        lot=charge_lot, condition="D", reason="Corroded", depot=depot_a, posted_by=inspector
    )
    before = counts()
    with pytest.raises(LotHeldElsewhere) as refused:
        services.condition_change_post(
            lot=charge_lot, condition="A", reason="Cleaned", depot=depot_a, posted_by=inspector
        )
    assert refused.value.extra["depots"] == ["DB"]
    assert counts() == before
    services.condition_change_post(
        lot=charge_lot, condition="A", reason="Cleaned", depot=depot_a, posted_by=national_inspector
    )
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "A"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"condition": "Z"}, "condition"),
        ({"condition": "A"}, "condition"),
        ({"reason": " "}, "reason"),
    ],
)
def test_bad_condition_change_is_refused(charge_lot, depot_a, inspector, kwargs, field):
    arguments = {"condition": "D", "reason": "Found damaged"} | kwargs
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.condition_change_post(
            lot=charge_lot, depot=depot_a, posted_by=inspector, **arguments
        )
    assert field in refused.value.message_dict
    assert counts() == before


def test_a_condition_change_is_not_reversed(charge_lot, depot_a, inspector, clerk):
    [document, _other] = services.condition_change_post(
        lot=charge_lot, condition="D", reason="Corroded", depot=depot_a, posted_by=inspector
    )
    with pytest.raises(InvalidState):
        document_reverse(document=document, reason="mistake", posted_by=clerk)


def test_a_clerk_does_not_change_conditions(charge_lot, depot_a, clerk):
    with pytest.raises(PermissionDenied):
        services.condition_change_post(
            lot=charge_lot, condition="D", reason="x", depot=depot_a, posted_by=clerk
        )


# --- Inspections ---------------------------------------------------------------------------------


def test_inspection_sets_next_due_and_changes_condition(charge_lot, depot_a, inspector, world):
    inspection = services.inspection_record(
        lot=charge_lot,
        depot=depot_a,
        storehouse=world.sh1,
        kind="periodic",
        inspected_on=TODAY() - timedelta(days=1),
        sample_size=12,
        findings="Rust on 3 of 12 containers",
        condition="E",
        inspector=inspector,
    )
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "E"
    assert inspection.next_due_on == add_months(inspection.inspected_on, 12)
    assert LotDue.objects.get(lot=charge_lot).inspection_due == inspection.next_due_on
    assert ConditionChange.objects.get(inspection=inspection, document__depot=depot_a)


def test_inspection_with_unchanged_condition_posts_no_document(charge_lot, depot_a, inspector):
    documents = Document.objects.count()
    services.inspection_record(
        lot=charge_lot,
        depot=depot_a,
        kind="periodic",
        inspected_on=TODAY(),
        sample_size=5,
        findings="No defects",
        condition="A",
        inspector=inspector,
    )
    assert Document.objects.count() == documents


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sample_size": 0}, "sample_size"),
        ({"findings": "  "}, "findings"),
        ({"condition": "Z"}, "condition"),
        ({"inspected_on": date.today() + timedelta(days=2)}, "inspected_on"),
        ({"inspected_on": date(2019, 1, 1)}, "inspected_on"),
    ],
)
def test_bad_inspection_is_refused(charge_lot, depot_a, inspector, kwargs, field):
    arguments = {
        "kind": "periodic",
        "inspected_on": TODAY(),
        "sample_size": 5,
        "findings": "ok",
        "condition": "D",
    } | kwargs
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.inspection_record(lot=charge_lot, depot=depot_a, inspector=inspector, **arguments)
    assert field in refused.value.message_dict
    assert counts() == before


def test_inspection_records_are_append_only(charge_lot, depot_a, inspector):
    inspection = services.inspection_record(
        lot=charge_lot,
        depot=depot_a,
        kind="periodic",
        inspected_on=TODAY(),
        sample_size=5,
        findings="ok",
        condition="A",
        inspector=inspector,
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).update(findings="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).delete()


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_attachments_are_checked_by_content_and_size(
    charge_lot, depot_a, inspector, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.STOCKPILE_ATTACHMENT_MAX_BYTES = 100
    inspection = services.inspection_record(
        lot=charge_lot,
        depot=depot_a,
        kind="periodic",
        inspected_on=TODAY(),
        sample_size=5,
        findings="photo",
        condition="A",
        inspector=inspector,
        attachments=[SimpleUploadedFile("crate.png", PNG, content_type="image/png")],
    )
    [kept] = inspection.attachments.all()
    assert kept.content_type == "image/png"
    assert kept.size == len(PNG)
    assert (tmp_path / kept.file.name).read_bytes() == PNG
    for upload in (
        SimpleUploadedFile("evil.png", b"MZ\x90\x00 not an image", content_type="image/png"),
        SimpleUploadedFile("huge.pdf", b"%PDF-" + b"x" * 200, content_type="application/pdf"),
    ):
        with pytest.raises(ValidationError):
            services.attachment_add(inspection=inspection, upload=upload, uploaded_by=inspector)
    assert InspectionAttachment.objects.count() == 1


# --- Bans and constraints ------------------------------------------------------------------------


def issue_one(world, clerk, lot, recipient=None, storehouse=None):
    return issue_post(
        depot=world.depot_a,
        lines=[Movement(lot.pk, (storehouse or world.sh1).pk, 1)],
        recipient=recipient or world.unit,
        occurred_on=TODAY(),
        posted_by=clerk,
    )


def test_a_banned_lot_is_not_issued_until_the_ban_is_lifted(
    charge_lot, world, clerk, inspector, national_inspector
):
    ban = services.ban_impose(
        kind="ban",
        lot=charge_lot,
        reason="Misfires reported",
        reference="TB-12",
        imposed_by=inspector,
    )
    before = counts()
    with pytest.raises(LotBanned) as refused:
        issue_one(world, clerk, charge_lot)
    assert refused.value.code == "lot_banned"
    assert counts() == before
    # The lot is held in depots A and B: depot A's inspector may not free it everywhere.
    with pytest.raises(PermissionDenied):
        services.ban_lift(ban=ban, reason="Cause found in another lot", lifted_by=inspector)
    services.ban_lift(ban=ban, reason="Cause found in another lot", lifted_by=national_inspector)
    issue_one(world, clerk, charge_lot)
    with pytest.raises(InvalidState):
        services.ban_lift(ban=ban, reason="again", lifted_by=national_inspector)


def test_a_type_ban_is_national_and_binds_every_lot_of_the_type(
    charge_lot, charges, world, clerk, inspector, national_inspector
):
    with pytest.raises(PermissionDenied):
        services.ban_impose(
            kind="ban",
            ammunition_type=charges,
            reason="Recall",
            reference="R-1",
            imposed_by=inspector,
        )
    services.ban_impose(
        kind="ban",
        ammunition_type=charges,
        reason="Recall",
        reference="R-1",
        imposed_by=national_inspector,
    )
    with pytest.raises(LotBanned):
        issue_one(world, clerk, charge_lot)


def test_a_ban_on_a_lot_binds_the_lots_split_from_it(charge_lot, world, clerk, inspector):
    child = lot_split(
        lot=charge_lot,
        quantities={world.sh1.pk: 10},
        suffix="-A",
        condition="A",
        occurred_on=TODAY(),
        posted_by=clerk,
    )
    services.ban_impose(
        kind="ban", lot=charge_lot, reason="Misfires", reference="TB-13", imposed_by=inspector
    )
    with pytest.raises(LotBanned):
        issue_one(world, clerk, child)


def test_a_constraint_limits_recipients(charge_lot, world, clerk, inspector):
    services.ban_impose(
        kind="constraint",
        lot=charge_lot,
        reason="Training only",
        reference="C-7",
        permitted_recipient_kinds=["range"],
        imposed_by=inspector,
    )
    with pytest.raises(RecipientNotPermitted):
        issue_one(world, clerk, charge_lot, recipient=world.unit)
    issue_one(world, clerk, charge_lot, recipient=world.restricted_ok)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reference": ""}, "reference"),
        ({"permitted_recipient_kinds": ["range"]}, "permitted_recipient_kinds"),
        (
            {"kind": "constraint", "permitted_recipient_kinds": ["martians"]},
            "permitted_recipient_kinds",
        ),
        ({"kind": "embargo"}, "kind"),
    ],
)
def test_bad_bans_are_refused(charge_lot, inspector, kwargs, field):
    arguments = {"kind": "ban", "reason": "r", "reference": "ref"} | kwargs
    with pytest.raises(ValidationError) as refused:
        services.ban_impose(lot=charge_lot, imposed_by=inspector, **arguments)
    assert field in refused.value.message_dict
    assert not Ban.objects.exists()


def test_a_depot_inspector_bans_only_lots_their_depots_hold(world, clerk_b, inspector, depot_b):
    lot = world.lot(world.tnt, "TNT-B")
    world.stock(clerk_b, lot, world.sh3, 10)
    with pytest.raises(PermissionDenied):
        services.ban_impose(kind="ban", lot=lot, reason="r", reference="x", imposed_by=inspector)


# --- Shelf-life extensions -----------------------------------------------------------------------


def test_extension_needs_evidence_about_the_lot_and_a_later_date(
    charge_lot, depot_a, depot_b, inspector
):
    DepotMembership.objects.create(user=inspector, depot=depot_b)  # the lot is held in A and B
    inspector = User.objects.get(pk=inspector.pk)
    charge_lot.expires_on = TODAY() + timedelta(days=10)
    charge_lot.save()
    with pytest.raises(ValidationError):
        services.shelf_life_extend(
            lot=charge_lot,
            new_expires_on=TODAY() + timedelta(days=400),
            reason="tested",
            decided_by=inspector,
        )
    test = record_test(charge_lot, depot_a, inspector, measured="0.9")
    with pytest.raises(ValidationError):
        services.shelf_life_extend(
            lot=charge_lot,
            new_expires_on=TODAY() + timedelta(days=5),
            reason="tested",
            decided_by=inspector,
            stability_test=test,
        )
    extension = services.shelf_life_extend(
        lot=charge_lot,
        new_expires_on=TODAY() + timedelta(days=400),
        reason="Stable at 90 %",
        decided_by=inspector,
        stability_test=test,
    )
    charge_lot.refresh_from_db()
    assert charge_lot.expires_on == TODAY() + timedelta(days=400)
    assert charge_lot.expiry_overridden
    assert extension.previous_expires_on == TODAY() + timedelta(days=10)


# --- Due dates ----------------------------------------------------------------------------------


def test_due_dates_follow_policy_until_a_record_exists(charge_lot, world):
    due = LotDue.objects.get(lot=charge_lot)
    assert due.stability_due == date(2025, 1, 1)  # made 2020-01-01 + 5 years
    assert due.never_stability_tested
    created = timezone.localtime(Lot.objects.get(pk=charge_lot.pk).created_at).date()
    assert due.inspection_due == add_months(created, 12)
    assert LotDue.objects.get(lot=world.lot(world.ball, "B-2")).stability_due is None


# --- The method policy and the disposal deadline (issue 14) ------------------------------------


def test_disposal_deadline_runs_from_the_sample_date(charge_lot, depot_a, inspector):
    """A lot sampled 80 days ago and found unstable today has 10 days left, not 90."""
    test = services.stability_test_record(
        lot=charge_lot,
        depot=depot_a,
        sampled_on=TODAY() - timedelta(days=80),
        laboratory="National Propellant Laboratory",
        method="hplc",
        stabiliser="DPA",
        initial_content_pct=Decimal("1.00"),
        measured_content_pct=Decimal("0.10"),
        tested_by=inspector,
    )
    assert test.category == "unstable"
    assert test.dispose_by == TODAY() + timedelta(days=10)


@pytest.mark.parametrize("method", ["abel_heat", "vacuum_stability"])
def test_a_pass_on_a_screening_method_is_at_most_monitor(charge_lot, depot_a, inspector, method):
    """A screening test cannot measure the stabiliser left: a pass gives the category of the
    method's row (monitor by default), with a quantitative retest within 12 months, never
    "stable, retest in 5 years" (DESIGN.md §8, method policy)."""
    test = record_test(charge_lot, depot_a, inspector, passed=True, method=method)
    assert test.category == "monitor"
    assert test.next_test_due == add_months(TODAY() - timedelta(days=3), 12)
    assert "retest by stabiliser content" in test.action
    assert LotDue.objects.get(lot=charge_lot).stability_due == test.next_test_due


def test_heat_flow_calorimetry_pass_is_stable_as_its_row_says(charge_lot, depot_a, inspector):
    test = record_test(charge_lot, depot_a, inspector, passed=True, method="heat_flow_calorimetry")
    assert (test.category, test.next_test_due) == (
        "stable",
        add_months(TODAY() - timedelta(days=3), 60),
    )


def test_the_method_policy_is_data(charge_lot, depot_a, inspector):
    from surveillance.models import StabilityMethodPolicy

    StabilityMethodPolicy.objects.filter(method="abel_heat").update(
        pass_category="restricted", pass_retest_months=6, pass_action=""
    )
    test = record_test(charge_lot, depot_a, inspector, passed=True, method="abel_heat")
    assert (test.category, test.next_test_due) == (
        "restricted",
        add_months(TODAY() - timedelta(days=3), 6),
    )
    StabilityMethodPolicy.objects.filter(method="abel_heat").delete()
    test = record_test(charge_lot, depot_a, inspector, passed=True, method="abel_heat")
    assert test.category == "monitor"  # no row: treated as a screening test


@pytest.mark.parametrize("method", ["abel_heat", "heat_flow_calorimetry"])
def test_a_fail_is_unstable_whatever_the_method(charge_lot, depot_a, inspector, method):
    test = record_test(charge_lot, depot_a, inspector, passed=False, method=method)
    assert (test.category, test.resulting_condition) == ("unstable", "H")


def test_the_stability_category_never_reads_as_the_availability_restricted():
    """DESIGN §3 terminology: the 20-40 % band keeps its API value but not the availability's
    name, so "restricted" on a page always means issue to permitted recipients only."""
    from inventory.models.reference import Availability
    from surveillance.models import StabilityCategory

    assert StabilityCategory.RESTRICTED.value == "restricted"
    assert StabilityCategory.RESTRICTED.label == "limited life"
    assert StabilityCategory.RESTRICTED.label.lower() != Availability.RESTRICTED.label.lower()
