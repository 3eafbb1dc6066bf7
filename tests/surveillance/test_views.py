"""The inspector's web UI through Django's test client: pages, forms, refusals, scope, queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import DepotMembership
from inventory.models import Ban, Document, LedgerLine, Lot
from surveillance import selectors, services
from surveillance.models import (
    ConditionChange,
    Inspection,
    InspectionAttachment,
    ShelfLifeExtension,
    StabilityTest,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"x" * 40


def url(name, *args):
    return reverse(f"surveillance:{name}", args=args)


def counts():
    return (
        Document.objects.count(),
        LedgerLine.objects.count(),
        Inspection.objects.count(),
        InspectionAttachment.objects.count(),
        StabilityTest.objects.count(),
        ConditionChange.objects.count(),
        Ban.objects.count(),
        Ban.objects.filter(lifted_at__isnull=False).count(),
        ShelfLifeExtension.objects.count(),
        sorted(Lot.objects.values_list("condition_id", "expires_on")),
    )


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def b_only_lot(world, charges, clerk_b):
    """A propellant lot held only in depot B."""
    lot = world.lot(charges, "CHG-B-ONLY")
    world.stock(clerk_b, lot, world.sh3, 5)
    return lot


def form_errors(response) -> str:
    return " ".join(str(item["message"]) for item in response.context["errors"])


def inspection_data(charge_lot, world, **overrides):
    data = {
        "place": f"s:{world.sh1.pk}",
        "kind": "periodic",
        "inspected_on": TODAY().isoformat(),
        "sample_size": "12",
        "condition": "A",
        "authority_reference": "ATO-1",
        "findings": "No defects on 12 containers",
    }
    return data | overrides


def record_test(lot, depot, user, **kwargs):
    arguments = {
        "sampled_on": TODAY() - timedelta(days=2),
        "laboratory": "NPL",
        "method": "hplc",
        "initial_content_pct": Decimal(1),
        "measured_content_pct": Decimal("0.9"),
    } | kwargs
    return services.stability_test_record(lot=lot, depot=depot, tested_by=user, **arguments)


# --- Pages, roles and scope ------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["clerk", "inspector", "national_inspector", "officer", "auditor", "admin_user"]
)
def test_every_role_reads_the_work_list_the_lot_page_and_the_bans(
    request, charge_lot, as_user, role
):
    client = as_user(request.getfixturevalue(role))
    for path in [url("work_list"), url("lot_detail", charge_lot.pk), url("ban_list")]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", ["clerk", "officer", "auditor"])
def test_roles_that_record_nothing_get_403_on_every_form(request, charge_lot, as_user, role):
    client = as_user(request.getfixturevalue(role))
    ban = services.ban_impose(
        kind="ban",
        lot=charge_lot,
        reason="r",
        reference="x",
        imposed_by=request.getfixturevalue("inspector"),
    )
    before = counts()
    paths = [
        url("inspection_new") + f"?lot={charge_lot.pk}",
        url("stability_test_new") + f"?lot={charge_lot.pk}",
        url("condition_change_new", charge_lot.pk),
        url("ban_new") + f"?lot={charge_lot.pk}",
        url("ban_lift", ban.pk),
        url("shelf_life_extend", charge_lot.pk),
    ]
    if role == "officer":  # officers lift bans and extend shelf lives binding several depots
        paths = paths[:4]
    for path in paths:
        assert client.get(path).status_code == 403, path
        assert client.post(path, {"reason": "x", "condition": "H"}).status_code == 403, path
    assert client.get(url("lot_search"), {"q": "CHG"}).status_code == 403
    assert counts() == before
    page = client.get(url("lot_detail", charge_lot.pk)).content.decode()
    assert "Record an inspection" not in page
    assert "Lift" not in page


def test_a_lot_outside_the_depots_is_404_everywhere(
    b_only_lot, as_user, inspector, clerk, national_inspector
):
    ban = services.ban_impose(
        kind="ban", lot=b_only_lot, reason="r", reference="x", imposed_by=national_inspector
    )
    for path in [url("lot_detail", b_only_lot.pk), url("ban_lift", ban.pk)]:
        assert as_user(clerk).get(path).status_code == 404, path
    client = as_user(inspector)
    for path in [
        url("lot_detail", b_only_lot.pk),
        url("inspection_new") + f"?lot={b_only_lot.pk}",
        url("stability_test_new") + f"?lot={b_only_lot.pk}",
        url("ban_new") + f"?lot={b_only_lot.pk}",
        url("ban_lift", ban.pk),
        url("condition_change_new", b_only_lot.pk),
        url("shelf_life_extend", b_only_lot.pk),
        url("lot_detail", 999_999),
        url("inspection_new") + "?lot=abc",
    ]:
        assert client.get(path).status_code == 404, path
        if path not in (url("lot_detail", b_only_lot.pk), url("lot_detail", 999_999)):
            assert client.post(path, {"reason": "x"}).status_code == 404, path
    # Nor is it offered by the search, or shown in the work list or the bans.
    assert b"CHG-B-ONLY" not in client.get(url("lot_search"), {"q": "CHG"}).content
    assert b"CHG-B-ONLY" not in client.get(url("work_list"), {"horizon": 365}).content
    assert b"CHG-B-ONLY" not in client.get(url("ban_list")).content
    assert Ban.objects.get().lifted_at is None


# --- Work list -------------------------------------------------------------------------------


def test_work_list_puts_overdue_work_first_with_links_to_record_it(
    charge_lot, world, clerk, inspector, as_user
):
    # A ball lot inspected yesterday: its next inspection is a year off, outside the horizon.
    ball = world.lot(world.ball, "BALL-OK")
    world.stock(clerk, ball, world.sh2, 100)
    services.inspection_record(
        lot=ball,
        depot=world.depot_a,
        kind="periodic",
        inspected_on=TODAY(),
        sample_size=1,
        findings="ok",
        condition="A",
        inspector=inspector,
    )
    response = as_user(inspector).get(url("work_list"))
    rows = response.context["rows"]
    # The charge lot's first stability test was due on 2025-01-01 (made 2020 + 5 years).
    assert next((r["item"].lot.lot_number, r["item"].what, r["overdue"]) for r in rows) == (
        "CHG-20-01",
        "stability_test",
        True,
    )
    assert "BALL-OK" not in {r["item"].lot.lot_number for r in rows}
    html = response.content.decode()
    assert "OVERDUE by" in html
    assert f"{url('stability_test_new')}?lot={charge_lot.pk}" in html
    # A longer horizon brings the ball lot's inspection in; a bad one falls back to 30 days.
    wide = as_user(inspector).get(url("work_list"), {"horizon": 365}).context["rows"]
    assert ("BALL-OK", "inspection") in {(r["item"].lot.lot_number, r["item"].what) for r in wide}
    assert as_user(inspector).get(url("work_list"), {"horizon": "x"}).context["horizon"] == 30


def test_clerks_read_the_work_list_without_record_links(charge_lot, clerk, as_user):
    html = as_user(clerk).get(url("work_list")).content.decode()
    assert "CHG-20-01" in html
    assert url("stability_test_new") not in html


def _lots_with_bans(world, clerk, inspector, charges, start, stop):
    for number in range(start, stop):
        lot = world.lot(charges, f"Q-{number:02d}")
        world.stock(clerk, lot, world.sh1, 1)
        services.ban_impose(
            kind="ban" if number % 2 else "constraint",
            lot=lot,
            reason="Training only",
            reference=f"B-{number}",
            permitted_recipient_kinds=[] if number % 2 else ["range"],
            imposed_by=inspector,
        )


# --- Bans shown wherever the lot appears ----------------------------------------------------


def test_bans_and_constraints_show_on_stock_list_lot_card_and_searches(
    charge_lot, world, charges, clerk, inspector, as_user
):
    constrained = world.lot(charges, "CHG-TRAIN")
    world.stock(clerk, constrained, world.sh1, 10)
    services.ban_impose(
        kind="ban", lot=charge_lot, reason="Misfires", reference="TB-1", imposed_by=inspector
    )
    services.ban_impose(
        kind="constraint",
        lot=constrained,
        reason="training only",
        reference="C-1",
        permitted_recipient_kinds=["range"],
        imposed_by=inspector,
    )
    client = as_user(clerk)
    stock = client.get(reverse("inventory:stock_list")).content.decode()
    assert "BANNED" in stock
    assert "CONSTRAINED: training only" in stock
    card = client.get(reverse("inventory:lot_card", args=[charge_lot.pk])).content.decode()
    assert "BANNED" in card
    assert "Misfires" in card
    assert url("lot_detail", charge_lot.pk) in card
    # The issue form's search lists the banned lot without offering it; the constrained one is
    # offered with its badge.
    issue = client.get(
        reverse("inventory:lot_search"),
        {"lines-0-lot_number": "CHG", "mode": "issue"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-not-issuable="CHG-20-01"' in issue
    assert "Not issuable: banned." in issue
    assert f'data-lot-id="{charge_lot.pk}"' not in issue
    assert f'data-lot-id="{constrained.pk}"' in issue
    assert "CONSTRAINED: training only" in issue
    # A transfer's search still offers it (banned stock may be moved).
    transfer = client.get(
        reverse("inventory:lot_search"),
        {"lines-0-lot_number": "CHG", "mode": "stock"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'data-lot-id="{charge_lot.pk}"' in transfer
    assert "BANNED" in transfer
    issue_page = client.get(reverse("inventory:issue_new")).content.decode()
    assert "&quot;mode&quot;: &quot;issue&quot;" in issue_page


def test_an_unserviceable_lot_is_not_offered_for_issue(
    charge_lot, world, clerk, inspector, as_user
):
    record_test(charge_lot, world.depot_a, inspector, measured_content_pct=Decimal("0.1"))
    html = (
        as_user(clerk)
        .get(
            reverse("inventory:lot_search"),
            {"q": "CHG-20", "mode": "issue"},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert "Not issuable: condition H, unserviceable." in html
    assert "data-lot-pick" not in html


# --- Inspections -----------------------------------------------------------------------------


def test_inspection_with_attachments_is_recorded(charge_lot, world, inspector, as_user, media):
    client = as_user(inspector)
    form = client.get(url("inspection_new"), {"lot": charge_lot.pk})
    assert form.status_code == 200
    places = dict(form.context["form"].fields["place"].choices)
    assert form.context["form"]["place"].value() == f"s:{world.sh1.pk}"  # the one holding it
    assert f"s:{world.sh1.pk}" in places
    assert f"s:{world.sh3.pk}" not in places
    data = inspection_data(charge_lot, world, condition="D", findings="Rust <b>on</b> cases")
    data["attachments"] = [
        SimpleUploadedFile("crate.png", PNG, content_type="image/png"),
        SimpleUploadedFile("form.pdf", PDF, content_type="application/pdf"),
    ]
    response = client.post(f"{url('inspection_new')}?lot={charge_lot.pk}", data)
    assert response.status_code == 302
    assert response["Location"] == url("lot_detail", charge_lot.pk)
    inspection = Inspection.objects.get()
    assert (inspection.storehouse, inspection.depot, inspection.sample_size) == (
        world.sh1,
        world.depot_a,
        12,
    )
    assert sorted(a.content_type for a in inspection.attachments.all()) == [
        "application/pdf",
        "image/png",
    ]
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "D"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Periodic inspection of lot CHG-20-01 recorded" in html
    assert "Rust &lt;b&gt;on&lt;/b&gt; cases" in html
    for attachment in inspection.attachments.all():
        assert url("attachment_download", attachment.pk) in html
    assert "/media/" not in html


def test_inspection_lot_is_found_by_its_typed_number(charge_lot, world, inspector, as_user, media):
    client = as_user(inspector)
    data = inspection_data(charge_lot, world, lot_number="chg-20-01")
    assert client.post(url("inspection_new"), data).status_code == 302
    assert Inspection.objects.get().lot == charge_lot


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"findings": ""}, "This field is required"),
        ({"sample_size": "0"}, "greater than or equal to 1"),
        ({"inspected_on": (TODAY() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"inspected_on": "2019-06-01"}, "not yet made"),
        ({"place": "s:999999"}, "Select a valid choice"),
        ({"lot_number": "NOPE-1"}, "No lot numbered NOPE-1"),
    ],
)
def test_bad_inspections_are_refused_and_nothing_is_written(
    charge_lot, world, inspector, as_user, media, overrides, message
):
    before = counts()
    data = inspection_data(charge_lot, world, lot_number="CHG-20-01") | overrides
    response = as_user(inspector).post(url("inspection_new"), data)
    assert response.status_code == 200
    assert message in form_errors(response)
    assert "Nothing was saved" in response.content.decode()
    assert counts() == before
    assert not any(media.rglob("*.*"))


def test_bad_attachments_are_refused_before_any_file_is_kept(
    charge_lot, world, inspector, as_user, media, settings
):
    settings.STOCKPILE_ATTACHMENT_MAX_BYTES = 100
    before = counts()
    data = inspection_data(charge_lot, world)
    data["attachments"] = [
        SimpleUploadedFile("good.png", PNG, content_type="image/png"),
        SimpleUploadedFile("evil.png", b"MZ\x90\x00 not an image", content_type="image/png"),
        SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 200, content_type="application/pdf"),
    ]
    response = as_user(inspector).post(f"{url('inspection_new')}?lot={charge_lot.pk}", data)
    assert response.status_code == 200
    errors = form_errors(response)
    assert "evil.png is not a JPEG, PNG or PDF file." in errors
    assert "big.pdf is 205 bytes; the limit is 100." in errors
    assert counts() == before
    assert not any(media.rglob("*.*"))


def test_inspector_b_cannot_record_in_depot_a(charge_lot, world, inspector_b, as_user, media):
    """The lot is in both depots: B's inspector sees only B's places; A's is refused."""
    client = as_user(inspector_b)
    before = counts()
    response = client.post(
        f"{url('inspection_new')}?lot={charge_lot.pk}", inspection_data(charge_lot, world)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in form_errors(response)
    assert counts() == before


# --- Stability tests -------------------------------------------------------------------------


def stability_data(**overrides):
    return {
        "depot": "",
        "sampled_on": (TODAY() - timedelta(days=1)).isoformat(),
        "laboratory": "National Propellant Laboratory",
        "method": "hplc",
        "stabiliser": "DPA",
        "initial_content_pct": "1.00",
        "measured_content_pct": "0.50",
    } | overrides


def test_stability_test_shows_its_category_action_and_next_test(
    charge_lot, world, inspector, as_user
):
    client = as_user(inspector)
    assert client.get(url("stability_test_new"), {"lot": charge_lot.pk}).status_code == 200
    response = client.post(
        f"{url('stability_test_new')}?lot={charge_lot.pk}",
        stability_data(depot=world.depot_a.pk),
        follow=True,
    )
    test = StabilityTest.objects.get()
    assert response.redirect_chain[-1][0] == url("stability_test_detail", test.pk)
    html = response.content.decode()
    assert test.category == "monitor"
    assert "MONITOR" in html
    assert test.action in html
    assert test.next_test_due.strftime("%Y-%m-%d") in html
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "C"


def test_a_failing_pass_fail_test_condemns_the_lot(charge_lot, world, inspector, as_user):
    response = as_user(inspector).post(
        url("stability_test_new"),
        stability_data(
            lot_number="CHG-20-01",
            depot=world.depot_a.pk,
            method="heat_flow_calorimetry",
            stabiliser="",
            initial_content_pct="",
            measured_content_pct="",
            result="fail",
        ),
        follow=True,
    )
    assert "UNSTABLE" in response.content.decode()
    charge_lot.refresh_from_db()
    assert charge_lot.condition_id == "H"
    assert ConditionChange.objects.filter(to_condition="H").count() == 2  # depots A and B


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"method": "abel_heat"}, "initial_content_pct", "reports no content"),
        (
            {"method": "abel_heat", "initial_content_pct": "", "measured_content_pct": ""},
            "result",
            "choose one",
        ),
        ({"result": "pass"}, "result", "reports a content"),
        ({"measured_content_pct": ""}, "measured_content_pct", "reports a content"),
        ({"initial_content_pct": "0"}, "initial_content_pct", "above zero"),
        ({"measured_content_pct": "150"}, "measured_content_pct", "at most 100"),
        ({"laboratory": "  "}, "laboratory", ""),
    ],
)
def test_bad_stability_tests_are_refused_and_nothing_is_written(
    charge_lot, world, inspector, as_user, overrides, field, message
):
    before = counts()
    data = stability_data(depot=world.depot_a.pk) | overrides
    response = as_user(inspector).post(f"{url('stability_test_new')}?lot={charge_lot.pk}", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert counts() == before


def test_a_lot_without_propellant_is_not_offered_for_a_stability_test(
    world, clerk, inspector, as_user
):
    lot = world.lot(world.ball, "BALL-9")
    world.stock(clerk, lot, world.sh2, 5)
    before = counts()
    response = as_user(inspector).post(
        url("stability_test_new"), stability_data(lot_number="BALL-9", depot=world.depot_a.pk)
    )
    assert "No lot numbered BALL-9" in form_errors(response)
    response = as_user(inspector).post(
        f"{url('stability_test_new')}?lot={lot.pk}", stability_data(depot=world.depot_a.pk)
    )
    assert "holds no propellant" in form_errors(response)
    assert counts() == before


# --- Condition changes -----------------------------------------------------------------------


def test_condition_change_is_posted_and_shown_in_the_timeline(
    charge_lot, world, inspector, as_user
):
    client = as_user(inspector)
    response = client.post(
        url("condition_change_new", charge_lot.pk),
        {
            "depot": world.depot_a.pk,
            "condition": "D",
            "reason": "Corroded",
            "authority_reference": "A-1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("lot_detail", charge_lot.pk)
    page = client.get(response["Location"]).content.decode()
    assert "now in condition D" in page
    assert "A → D: Corroded" in page
    assert ConditionChange.objects.count() == 2


def test_condition_change_refusals_are_shown_and_nothing_is_written(
    charge_lot, world, inspector, as_user
):
    services.condition_change_post(
        lot=charge_lot, condition="D", reason="Corroded", depot=world.depot_a, posted_by=inspector
    )
    before = counts()
    client = as_user(inspector)
    # Improving a lot also held in depot B is for a national inspector (LotHeldElsewhere).
    response = client.post(
        url("condition_change_new", charge_lot.pk),
        {"depot": world.depot_a.pk, "condition": "A", "reason": "Cleaned"},
    )
    assert "outside your depots" in form_errors(response)
    response = client.post(
        url("condition_change_new", charge_lot.pk),
        {"depot": world.depot_a.pk, "condition": "D", "reason": "again"},
    )
    assert "already in condition D" in form_errors(response)
    response = client.post(
        url("condition_change_new", charge_lot.pk),
        {"depot": world.depot_b.pk, "condition": "H", "reason": "x"},
    )
    assert "Select a valid choice" in form_errors(response)
    assert counts() == before


# --- Bans and constraints --------------------------------------------------------------------


def test_a_lot_ban_is_imposed_and_lifted(charge_lot, inspector, officer, as_user):
    client = as_user(inspector)
    assert client.get(url("ban_new"), {"lot": charge_lot.pk}).status_code == 200
    response = client.post(
        f"{url('ban_new')}?lot={charge_lot.pk}",
        {"kind": "ban", "reason": "Misfires reported", "reference": "TB-12"},
    )
    assert response["Location"] == url("lot_detail", charge_lot.pk)
    ban = Ban.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Ban imposed on CHG-20-01 (TB-12)." in page
    assert 'id="lot-bans"' in page
    assert "Misfires reported" in page
    assert client.post(url("ban_lift", ban.pk), {"reason": ""}).status_code == 200
    assert Ban.objects.get().lifted_at is None
    # The lot is held in depots A and B: depot A's inspector may not free it in B (issue 15).
    refused = client.post(url("ban_lift", ban.pk), {"reason": "Cause found elsewhere"})
    assert "binds depots outside your scope" in refused.content.decode()
    assert Ban.objects.get().lifted_at is None
    client = as_user(officer)
    response = client.post(url("ban_lift", ban.pk), {"reason": "Cause found elsewhere"})
    assert response["Location"] == url("lot_detail", charge_lot.pk)
    ban.refresh_from_db()
    assert ban.lifted_by == officer
    assert ban.lift_reason == "Cause found elsewhere"
    assert 'id="lot-bans"' not in client.get(response["Location"]).content.decode()
    # Lifting again: nothing to do.
    assert client.post(url("ban_lift", ban.pk), {"reason": "again"}).status_code == 302


def test_a_constraint_names_its_permitted_recipients(charge_lot, inspector, as_user):
    response = as_user(inspector).post(
        url("ban_new"),
        {
            "lot_number": "CHG-20-01",
            "kind": "constraint",
            "reason": "Training only",
            "reference": "C-7",
            "permitted_recipient_kinds": ["range", "unit"],
        },
    )
    assert response.status_code == 302
    assert Ban.objects.get().permitted_recipient_kinds == ["range", "unit"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "ban", "permitted_recipient_kinds": ["range"]}, "permits no one"),
        ({"kind": "ban", "reference": ""}, "This field is required"),
        ({"kind": "embargo"}, "Select a valid choice"),
    ],
)
def test_bad_bans_are_refused_and_nothing_is_written(charge_lot, inspector, as_user, data, message):
    values = {"reason": "r", "reference": "ref"} | data
    response = as_user(inspector).post(f"{url('ban_new')}?lot={charge_lot.pk}", values)
    assert response.status_code == 200
    assert message in form_errors(response)
    assert not Ban.objects.exists()


def test_a_type_ban_is_for_national_inspectors(
    charge_lot, charges, inspector, national_inspector, as_user
):
    assert as_user(inspector).get(url("ban_new"), {"type": charges.pk}).status_code == 403
    form = as_user(inspector).get(url("ban_new")).context["form"]
    assert "ammunition_type" not in form.fields
    client = as_user(national_inspector)
    assert "ammunition_type" in client.get(url("ban_new")).context["form"].fields
    response = client.post(
        f"{url('ban_new')}?type={charges.pk}",
        {"kind": "ban", "reason": "Recall", "reference": "R-1"},
    )
    assert response["Location"] == url("ban_list")
    ban = Ban.objects.get()
    assert ban.ammunition_type == charges
    assert ban.lot is None
    # Binding on every lot of the type: the stock list of depot A's inspector shows it.
    assert "BANNED" in as_user(inspector).get(reverse("inventory:stock_list")).content.decode()
    # A depot inspector may not lift a type ban: shown on the form, nothing written.
    response = as_user(inspector).post(url("ban_lift", ban.pk), {"reason": "no"})
    assert response.status_code == 200
    assert "national inspector" in form_errors(response)
    assert Ban.objects.get().lifted_at is None


def test_neither_lot_nor_type_is_refused(national_inspector, charge_lot, as_user):
    response = as_user(national_inspector).post(
        url("ban_new"), {"kind": "ban", "reason": "r", "reference": "x"}
    )
    assert "Name either a lot or an ammunition type." in form_errors(response)
    assert not Ban.objects.exists()


# --- Shelf-life extensions -------------------------------------------------------------------


def test_shelf_life_is_extended_on_a_test_of_the_lot(charge_lot, world, inspector, as_user):
    DepotMembership.objects.create(user=inspector, depot=world.depot_b)  # the lot is in A and B
    charge_lot.expires_on = TODAY() + timedelta(days=10)
    charge_lot.save()
    test = record_test(charge_lot, world.depot_a, inspector)
    unstable = record_test(
        charge_lot,
        world.depot_a,
        inspector,
        measured_content_pct=Decimal("0.9"),
        sampled_on=TODAY(),
    )
    client = as_user(inspector)
    form = client.get(url("shelf_life_extend", charge_lot.pk)).context["form"]
    assert f"t:{test.pk}" in dict(form.fields["evidence"].choices)
    new = TODAY() + timedelta(days=400)
    before = counts()
    refused = client.post(
        url("shelf_life_extend", charge_lot.pk),
        {
            "evidence": f"t:{test.pk}",
            "new_expires_on": (TODAY() + timedelta(days=5)),
            "reason": "ok",
        },
    )
    assert "later than the current" in form_errors(refused)
    assert counts() == before
    response = client.post(
        url("shelf_life_extend", charge_lot.pk),
        {"evidence": f"t:{unstable.pk}", "new_expires_on": new, "reason": "Stable at 90 %"},
    )
    assert response["Location"] == url("lot_detail", charge_lot.pk)
    charge_lot.refresh_from_db()
    assert charge_lot.expires_on == new
    assert ShelfLifeExtension.objects.get().stability_test == unstable


def test_unstable_tests_justify_no_extension(charge_lot, world, inspector, as_user):
    bad = record_test(charge_lot, world.depot_a, inspector, measured_content_pct=Decimal("0.05"))
    form = as_user(inspector).get(url("shelf_life_extend", charge_lot.pk)).context["form"]
    assert f"t:{bad.pk}" not in dict(form.fields["evidence"].choices)


# --- Attachments -----------------------------------------------------------------------------


def test_attachment_is_downloaded_only_in_scope(
    charge_lot, world, inspector, inspector_b, clerk, clerk_b, officer, as_user, media
):
    inspection = services.inspection_record(
        lot=charge_lot,
        depot=world.depot_a,
        kind="periodic",
        inspected_on=TODAY(),
        sample_size=1,
        findings="photo",
        condition="A",
        inspector=inspector,
        attachments=[SimpleUploadedFile("<crate>.png", PNG, content_type="text/html")],
    )
    attachment = inspection.attachments.get()
    path = url("attachment_download", attachment.pk)
    for user in (inspector, clerk, officer):
        response = as_user(user).get(path)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PNG
    # Depot B's people read the lot (it is held there too) but not depot A's inspection.
    for user in (inspector_b, clerk_b):
        assert as_user(user).get(path).status_code == 404
    assert as_user(officer).get(url("attachment_download", 999_999)).status_code == 404


def test_timeline_days_are_those_of_the_depot(charge_lot, inspector, settings):
    """A ban's day is the local day of TIME_ZONE. At any hour, UTC's date differs from that of
    UTC+14 or of UTC-11, so one of the two zones tells a UTC day from a local one."""
    services.ban_impose(
        kind="ban", lot=charge_lot, reason="Misfires", reference="TB-9", imposed_by=inspector
    )
    imposed_at = Ban.objects.get().imposed_at
    for zone in ("Pacific/Kiritimati", "Pacific/Niue"):
        settings.TIME_ZONE = zone
        [event] = [e for e in selectors.lot_timeline(inspector, charge_lot) if e.what == "ban"]
        assert event.on == timezone.localdate(imposed_at), zone


@pytest.mark.parametrize(("days", "expired"), [(0, False), (-1, True)])
def test_the_lot_page_marks_expired_from_the_day_after_the_expiry_date(
    charge_lot, inspector, as_user, days, expired
):
    """The expiry date is the last valid day (DESIGN.md §6), as in alerts, surplus and issues."""
    Lot.objects.filter(pk=charge_lot.pk).update(
        expires_on=timezone.localdate() + timedelta(days=days)
    )
    page = as_user(inspector).get(url("lot_detail", charge_lot.pk)).content.decode()
    assert ("EXPIRED" in page) is expired
