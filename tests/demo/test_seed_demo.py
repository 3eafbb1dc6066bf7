"""The demo stockpile (`manage.py seed_demo`, demo/seeding.py over each app's demo.py): what it
holds, that it keeps every rule, and that loading it twice changes nothing."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from accounts.models import User
from accounts.services import SYSTEM_USERNAME
from alerts.models import Alert
from core.roles import Role
from inventory import demo, policy, rules
from inventory.chain import GENESIS_HASH
from inventory.errors import LotBanned, RecipientNotPermitted
from inventory.models import (
    AmmunitionType,
    Balance,
    Ban,
    ChainHead,
    Depot,
    Document,
    LedgerLine,
    Licence,
    LicenceLimit,
    Lot,
    PendingLine,
    PolicySetting,
    Recipient,
    Storehouse,
)
from inventory.models.ledger import DocumentKind, DocumentStatus
from inventory.models.reference import Availability, StorehouseKind
from inventory.selectors.ledger import balance_drift
from inventory.selectors.reference import policy_legal_hazard_codes
from inventory.services import posting
from inventory.services.lots import add_months
from inventory.services.posting.checks import _holdings_after
from surveillance import demo as surveillance_demo
from surveillance.models import (
    ConditionChange,
    Inspection,
    LotDue,
    ShelfLifeExtension,
    StabilityTest,
)

pytestmark = pytest.mark.django_db

QUARANTINE = "QUA-04"


def seed(monkeypatch, password="demo-pass-123"):
    monkeypatch.setenv("DEMO_PASSWORD", password)
    out = io.StringIO()
    call_command("seed_demo", "--force", stdout=out)  # tests run with DEBUG off
    return out.getvalue()


def storehouse_breaches(storehouse: Storehouse, on) -> list[rules.Breach]:
    """Every §4 rule over the storehouse's stock, as the posting service checks it."""
    return posting.storehouse_breaches({storehouse.pk}, on=on)[storehouse.pk]


def snapshot() -> dict:
    """Everything a second run must leave alone."""
    from django.apps import apps

    counts = {
        model._meta.label: model.objects.count()
        for app in ("inventory", "surveillance", "alerts", "qd")
        for model in apps.get_app_config(app).get_models()
    }
    return {
        **counts,
        "stock": Balance.objects.aggregate(total=Sum("quantity"))["total"],
        "last_line": LedgerLine.objects.aggregate(last=Max("id"))["last"],
        "heads": sorted(ChainHead.objects.values_list("depot_id", "last_hash", "line_count")),
        "policy": sorted(PolicySetting.objects.values_list("key", "value")),
    }


def test_seed_demo_creates_depots_and_one_user_per_role(monkeypatch):
    seed(monkeypatch)
    assert Depot.objects.count() == 3
    assert Depot.objects.values("region").distinct().count() == 2
    people = User.objects.exclude(username=SYSTEM_USERNAME)
    roles = {user.username: user.roles for user in people}
    assert roles == {
        "clerk": ["clerk"],
        "clerk2": ["clerk"],
        "inspector": ["inspector"],
        "officer": ["officer"],
        "auditor": ["auditor"],
        "admin": ["admin"],
    }
    first = Depot.objects.order_by("code").first()
    assert User.objects.get(username="clerk").depot_ids == {first.pk}
    assert User.objects.get(username="inspector").depot_ids == {first.pk}
    assert User.objects.get(username="clerk2").depot_ids != {first.pk}
    assert User.objects.get(username="officer").depot_ids == frozenset()
    assert all(user.check_password("demo-pass-123") for user in people)
    # Vetted for about a year, so the demo works with VETTING_REQUIRED on.
    in_a_year = timezone.localdate() + timedelta(days=365)
    assert {(user.vetting_level, user.vetting_expires_on) for user in people} == {
        ("security", in_a_year)
    }
    # The automatic condition changes of the stability tests are posted by the system user,
    # which cannot sign in.
    system = User.objects.get(username=SYSTEM_USERNAME)
    assert (system.is_active, system.roles, system.has_usable_password()) == (False, [], False)
    assert User.objects.get(username="admin").has_role(Role.ADMIN)


def test_seed_demo_is_idempotent_and_never_changes_a_password(monkeypatch):
    first_output = seed(monkeypatch)
    before = snapshot()
    second_output = seed(monkeypatch, password="another-pass-456")
    assert snapshot() == before
    assert "migrated from paper records" in first_output
    assert "no history was added" in second_output
    assert Depot.objects.count() == 3
    assert User.objects.exclude(username=SYSTEM_USERNAME).count() == 6
    assert User.objects.get(username="clerk").memberships.count() == 1
    clerk = User.objects.get(username="clerk")
    assert clerk.check_password("demo-pass-123")
    assert not clerk.check_password("another-pass-456")
    assert "clerk      clerk      D01  (existing account: left as it was)" in second_output


def test_seed_demo_refuses_with_debug_off_unless_forced(monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
    assert not Depot.objects.exists()


def test_seed_demo_leaves_an_existing_admin_as_it_was(monkeypatch):
    """An 'admin' already on the server kept its password, roles and vetting (issue 15)."""
    from tests.factories import PASSWORD, UserFactory

    admin = UserFactory(username="admin", roles=[Role.ADMIN], vetting_level="enhanced")
    before = (admin.password, admin.roles, admin.vetting_level, admin.first_name)
    seed(monkeypatch)
    admin.refresh_from_db()
    assert (admin.password, admin.roles, admin.vetting_level, admin.first_name) == before
    assert admin.check_password(PASSWORD)
    assert not admin.check_password("demo-pass-123")


def test_reference_data_is_a_small_national_stockpile(monkeypatch):
    seed(monkeypatch)
    today = timezone.localdate()
    storehouses = Storehouse.objects.select_related("depot")
    assert storehouses.count() == 8
    assert {s.depot.code for s in storehouses} == {"D01", "D02", "D03"}
    assert {s.kind for s in storehouses} == set(StorehouseKind.values)
    for storehouse in storehouses:
        in_force = Licence.objects.filter(
            storehouse=storehouse, valid_from__lte=today - timedelta(days=366),
            valid_until__gte=today,
        )  # fmt: skip
        assert in_force.count() == 1, f"{storehouse} is licensed for the whole history"
        assert "1.4" in in_force.get().limits_dict()

    types = AmmunitionType.objects.all()
    assert types.count() == 25
    legal = policy_legal_hazard_codes()
    threshold = Decimal(str(policy.policy_values()["hd_1_2_threshold_kg"]))
    for kind in types:
        assert rules.hazard_code_is_legal(kind.hazard_division, kind.compatibility_group, legal)
        assert kind.neq_per_unit_kg > 0
        assert kind.shelf_life_months
        if kind.hazard_division.startswith("1.2"):
            assert kind.hazard_division == rules.suggest_hazard_subdivision_1_2(
                kind.neq_per_item_kg, threshold
            )
    codes = {kind.code: kind for kind in types}
    assert {k.hazard_code for k in types} >= {
        "1.4S", "1.2.1E", "1.2.2E", "1.1E", "1.1F", "1.1D", "1.1B", "1.4B", "1.3C", "1.3G", "1.4G",
    }  # fmt: skip
    assert codes["RKT-PG7V-HEAT"].shaped_charge
    assert codes["CHG-152-RED"].contains_propellant
    assert codes["MOR-82-HE"].hazard_division == "1.2.1"
    assert codes["GL-40-HE"].hazard_division == "1.2.2"

    recipients = Recipient.objects.all()
    assert recipients.count() == len(demo.DEMO_RECIPIENTS) + 1
    assert {r.kind for r in recipients} >= {"unit", "police", "range", "agency", "foreign_state"}
    assert recipients.filter(permitted_restricted=True).exists()


def test_the_demo_sets_requirements_with_surplus_and_shortfall(monkeypatch):
    """surplus.demo: national requirements that leave some types in surplus, others short."""
    from surplus.computation import rows_summed, surplus_by_depot
    from surplus.models import Requirement
    from surplus.policy import surplus_policy

    seed(monkeypatch)
    assert Requirement.objects.count() >= 6
    rows = {
        row.code: row
        for row in rows_summed(
            surplus_by_depot(today=timezone.localdate(), policy=surplus_policy())
        )
    }
    assert rows["ART-122-HE"].excess > 0  # required: 40 % of what is held
    assert rows["SAA-556-BALL"].usable < rows["SAA-556-BALL"].requirement  # 120 %: short
    seed(monkeypatch)  # a second run adds nothing
    assert Requirement.objects.count() == len(
        {r.ammunition_type_id for r in Requirement.objects.all()}
    )


def test_the_demo_has_an_export_case_ready_to_dispatch(monkeypatch):
    """diversion.demo: a register of parties and an export case with an approved assessment,
    its consignee entered in the register of recipients, waiting for the clerk of D01."""
    from diversion.models import Party, TransferCase

    seed(monkeypatch)
    assert Party.objects.count() >= 3
    case = TransferCase.objects.get()
    assert case.depot.code == "D01"
    assert Recipient.objects.filter(kind="foreign_state", code__startswith="PARTY-").count() == 1
    seed(monkeypatch)  # a second run adds nothing
    assert TransferCase.objects.count() == 1


def test_the_demo_has_exposed_sites_and_one_licence_beyond_qd(monkeypatch):
    """qd.demo, wired in by demo.seeding: the sites are registered around the demo's own
    storehouses, so D02's magazine licence shows as beyond quantity-distance."""
    from alerts.models import AlertKind
    from qd.models import ExposedSite

    output = seed(monkeypatch)
    assert "Quantity-distance: 11 exposed sites" in output
    assert set(ExposedSite.objects.values_list("depot__code", flat=True)) == {"D01", "D02", "D03"}
    [alert] = Alert.objects.filter(kind=AlertKind.LICENCE_BEYOND_QD, resolved_at__isnull=True)
    assert (alert.storehouse.depot.code, alert.storehouse.code) == ("D02", "ECM-01")
    assert "exposed sites already registered" in seed(monkeypatch)
    assert ExposedSite.objects.count() == 11


def test_a_year_of_history_through_the_posting_service(monkeypatch):
    seed(monkeypatch)
    today = timezone.localdate()
    documents = Document.objects.select_related("depot", "posted_by", "approved_by")
    kinds = dict(documents.values_list("kind").annotate(n=Count("id")))
    for kind in (
        DocumentKind.RECEIPT, DocumentKind.ISSUE, DocumentKind.INTERNAL_MOVE,
        DocumentKind.TRANSFER, DocumentKind.TRANSFER_RECEIPT, DocumentKind.RETURN,
        DocumentKind.ADJUSTMENT, DocumentKind.LOT_SPLIT, DocumentKind.REVERSAL,
    ):  # fmt: skip
        assert kinds.get(kind), f"no {kind} in the demo"
    assert kinds[DocumentKind.ISSUE] >= 60
    assert 100 <= documents.count() <= 250
    span = documents.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    assert span["first"] <= today - timedelta(days=360)
    assert span["last"] == today

    transfers = documents.filter(kind=DocumentKind.TRANSFER)
    assert sorted(transfers.values_list("status", flat=True)) == sorted(
        [
            DocumentStatus.IN_TRANSIT,
            DocumentStatus.RECEIVED,
            DocumentStatus.RECEIVED_WITH_DISCREPANCY,
        ]
    )
    adjustments = documents.filter(kind=DocumentKind.ADJUSTMENT)
    assert adjustments.filter(status=DocumentStatus.POSTED).count() == 2
    pending = adjustments.get(status=DocumentStatus.PENDING_APPROVAL)
    assert PendingLine.objects.filter(document=pending).exists()
    assert not LedgerLine.objects.filter(document=pending).exists()
    reversal = documents.get(kind=DocumentKind.REVERSAL)
    assert reversal.reverses.kind == DocumentKind.RECEIPT
    assert documents.filter(kind=DocumentKind.RETURN, source_issue__isnull=False).exists()
    # Returns await classification (DESIGN.md §6): child lots in K, in quarantine; the
    # exercise's were classified serviceable and merged back into their lots by the inspector.
    returned = Lot.objects.filter(ledger_lines__document__kind=DocumentKind.RETURN).distinct()
    assert returned.count() == 3
    assert all(lot.parent_id and lot.lot_number.endswith("-R1") for lot in returned)
    assert {
        line.storehouse.code
        for line in LedgerLine.objects.filter(document__kind=DocumentKind.RETURN)
    } == {QUARANTINE}
    waiting = returned.get(condition_id="K")
    assert Balance.objects.get(lot=waiting).quantity == 2000
    merges = documents.filter(kind=DocumentKind.LOT_SPLIT, reason="merge")
    assert {m.posted_by.username for m in merges} == {"inspector"}
    assert merges.count() == 2
    for lot in returned.exclude(condition_id="K"):
        assert lot.condition_id == lot.parent.condition_id or lot.parent.condition_id == "C"
        assert not Balance.objects.filter(lot=lot, quantity__gt=0).exists()
    for document in documents.filter(kind__in=[DocumentKind.RECEIPT, DocumentKind.ISSUE]):
        assert document.reference.startswith(f"PAPER-{document.depot.code}-")

    # Each depot's vouchers are keyed by its clerk (the administrator in D03, which has none);
    # the inspector splits the lot they condemn; approvals are by a second person.
    posters = {
        (code, username)
        for code, username in documents.values_list("depot__code", "posted_by__username")
    }
    assert posters == {
        ("D01", "clerk"), ("D01", "inspector"), ("D02", "clerk2"), ("D03", "admin"),
        ("D01", "system"), ("D02", "system"),  # stability results, on the inspector's behalf
    }  # fmt: skip
    automatic = documents.filter(posted_by__username=SYSTEM_USERNAME)
    assert {(d.kind, d.on_behalf_of.username) for d in automatic} == {
        (DocumentKind.CONDITION_CHANGE, "inspector")
    }
    for document in documents.filter(approved_by__isnull=False):
        assert document.approved_by != document.posted_by
        assert document.approved_by.username in {"inspector", "admin"}
    assert PolicySetting.objects.get(key="backdate_days").value == 30  # restored

    lots = Lot.objects.select_related("ammunition_type")
    assert lots.count() >= 40
    assert lots.values("manufacturer").distinct().count() >= 5
    assert len({lot.manufactured_on.year for lot in lots}) >= 8
    assert {lot.condition_id for lot in lots} >= {"A", "B", "C", "D", "H"}
    near = lots.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=180))
    assert near.exists()
    assert lots.filter(parent__isnull=False, condition_id="H").exists()


def test_the_demo_breaches_no_rule_and_balances_equal_the_ledger(monkeypatch):
    seed(monkeypatch)
    today = timezone.localdate()
    for storehouse in Storehouse.objects.all():
        assert storehouse_breaches(storehouse, today) == [], storehouse
    assert balance_drift() == []
    # The sweep finds no mix either (issue 14: n1 strict, isolation per condition code); the
    # alerts raised while the demo condemned stock in place are resolved now it is in quarantine.
    from alerts.models import AlertKind
    from alerts.sweep import run_detectors

    run_detectors([AlertKind.SUSPECT_MIXED, AlertKind.STORAGE_INCOMPATIBLE])
    assert not Alert.objects.filter(
        kind__in=[AlertKind.SUSPECT_MIXED, AlertKind.STORAGE_INCOMPATIBLE],
        resolved_at__isnull=True,
    ).exists()

    # Suspect and condemned lots are only in quarantine, and quarantine holds nothing else.
    availability = policy.availability_by_condition()
    held = Balance.objects.filter(quantity__gt=0).select_related("lot", "storehouse")
    serviceable = {Availability.ISSUABLE, Availability.RESTRICTED}
    for balance in held:
        in_quarantine = balance.storehouse.code == QUARANTINE
        assert in_quarantine == (availability[balance.lot.condition_id] not in serviceable)
    assert held.filter(storehouse__code=QUARANTINE).count() >= 3

    # Restricted stock went only to recipients permitted to receive it.
    restricted = LedgerLine.objects.filter(
        document__kind=DocumentKind.ISSUE, lot__condition__availability=Availability.RESTRICTED
    )
    assert restricted.exists()
    assert not restricted.filter(document__recipient__permitted_restricted=False).exists()

    # Every depot's hash chain is unbroken and ends at its chain head.
    for depot in Depot.objects.all():
        prev = GENESIS_HASH
        hashes = LedgerLine.objects.filter(depot=depot).order_by("id")
        for line_prev, line_hash in hashes.values_list("prev_hash", "hash"):
            assert line_prev == prev
            prev = line_hash
        head = ChainHead.objects.get(depot=depot)
        assert (head.last_hash, head.line_count) == (prev, hashes.count())

    # Licence limits keep a margin: the demo can be posted against without refusals at once.
    for storehouse in Storehouse.objects.all():
        holdings = _holdings_after({storehouse.pk}, {}, availability)[storehouse.pk]
        limits = Licence.objects.get(storehouse=storehouse).limits_dict()
        for assessment in rules.neq_assessments(holdings, policy.storage_policy()):
            limit = limits[assessment.division]
            assert limit is None or assessment.neq_kg <= limit * Decimal("0.8"), storehouse
    assert LicenceLimit.objects.count() >= 8


def demo_lot(key: str) -> Lot:
    spec = next(spec for spec in demo.DEMO_LOTS if spec.key == key)
    return Lot.objects.get(
        ammunition_type__code=spec.type_code,
        manufacturer=demo.MAKERS[spec.maker][0],
        lot_number=spec.lot_number(timezone.localdate()),
    )


def test_a_year_of_surveillance_through_the_surveillance_services(monkeypatch):
    output = seed(monkeypatch)
    assert "Surveillance: 7 inspections, 10 stability tests" in output
    today = timezone.localdate()

    inspections = Inspection.objects.select_related("depot", "inspector")
    assert inspections.count() == len(surveillance_demo.DEMO_INSPECTIONS)
    assert set(inspections.values_list("kind", flat=True)) == {"periodic", "receipt", "pre_issue"}
    assert {(i.depot.code, i.inspector.username) for i in inspections} == {
        ("D01", "inspector"), ("D02", "admin"), ("D03", "admin"),
    }  # fmt: skip
    assert all(i.findings and i.inspected_on <= today for i in inspections)
    # An inspection a year ago falls due again within the month: the work list has something.
    assert LotDue.objects.filter(
        lot=demo_lot("122-A"), inspection_due__lte=today + timedelta(days=30)
    ).exists()

    tests = StabilityTest.objects.select_related("lot")
    assert set(tests.values_list("category", flat=True)) == {
        "stable", "monitor", "restricted", "unstable",
    }  # fmt: skip
    assert all(test.lot.ammunition_type.contains_propellant for test in tests)
    # Every propellant lot in serviceable stock has been tested in time: the sweep will suspend
    # nothing when the demo is first loaded.
    serviceable = {Availability.ISSUABLE, Availability.RESTRICTED}
    held = Lot.objects.filter(
        balances__quantity__gt=0,
        ammunition_type__contains_propellant=True,
        condition__availability__in=serviceable,
    ).distinct()
    assert held.count() >= 20
    for lot in held:
        due = LotDue.objects.get(lot=lot).stability_due
        assert due is None or due > today, lot

    # Monitor: the lot becomes priority issue (C) in both depots holding it, by the system user.
    monitored = demo_lot("762-A")
    assert monitored.condition_id == "C"
    changes = ConditionChange.objects.filter(lot=monitored).select_related("document__depot")
    assert {c.document.depot.code for c in changes} == {"D01", "D02"}
    assert {(c.from_condition, c.to_condition) for c in changes} == {("A", "C")}
    # Restricted result on a restricted lot: an automatic change never upgrades B to C.
    assert demo_lot("762-B").condition_id == "B"
    assert not ConditionChange.objects.filter(lot=demo_lot("762-B")).exists()

    # Unstable: condemned (H), all its stock in quarantine, disposal date and a critical alert.
    unstable = demo_lot("54R-A")
    assert unstable.condition_id == "H"
    test = StabilityTest.objects.get(lot=unstable)
    # 90 days from the sample, taken 14 days before the result (DESIGN.md §8).
    assert (test.category, test.dispose_by) == ("unstable", test.sampled_on + timedelta(days=90))
    assert test.dispose_by == today + timedelta(days=76)
    change = ConditionChange.objects.select_related("document__posted_by").get(
        lot=unstable, stability_test=test
    )
    assert change.document.posted_by.username == SYSTEM_USERNAME
    stock = Balance.objects.filter(lot=unstable, quantity__gt=0).select_related("storehouse")
    assert {b.storehouse.code for b in stock} == {QUARANTINE}
    assert Alert.objects.filter(
        lot=unstable, severity="critical", resolved_at__isnull=True
    ).exists()

    # The extension rests on a stable test of the same lot and moved its expiry 24 months.
    extension = ShelfLifeExtension.objects.select_related("lot", "stability_test").get()
    assert extension.lot == demo_lot("82-C")
    assert extension.stability_test.lot == extension.lot
    assert extension.stability_test.category == "stable"
    assert extension.lot.expires_on == extension.new_expires_on
    assert extension.new_expires_on == add_months(extension.previous_expires_on, 24)


def test_the_demo_ban_and_constraint_are_enforced_at_issue(monkeypatch):
    seed(monkeypatch)
    ban = Ban.objects.get(kind="ban", lifted_at__isnull=True)
    constraint = Ban.objects.get(kind="constraint", lifted_at__isnull=True)
    assert ban.lot == demo_lot("23-A")
    assert (constraint.lot, constraint.permitted_recipient_kinds) == (demo_lot("40-A"), ["range"])
    clerk = User.objects.get(username="clerk")
    d01 = Depot.objects.get(code="D01")
    store = Storehouse.objects.get(depot=d01, code="ECM-01")
    before = LedgerLine.objects.count()

    def issue(lot, recipient_code):
        return posting.issue_post(
            depot=d01,
            lines=[posting.Movement(lot.pk, store.pk, 1)],
            recipient=Recipient.objects.get(code=recipient_code),
            occurred_on=timezone.localdate(),
            posted_by=clerk,
        )

    with pytest.raises(LotBanned):
        issue(ban.lot, "RANGE-C")
    with pytest.raises(RecipientNotPermitted):
        issue(constraint.lot, "1BDE")
    assert LedgerLine.objects.count() == before
    issue(constraint.lot, "RANGE-C")  # the training range may still draw it
