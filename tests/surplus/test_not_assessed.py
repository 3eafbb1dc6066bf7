"""Issue 14 (DESIGN.md §9): a type with no requirement stated is not assessed (never read as a
zero requirement), listed apart on the API, the dashboard and its exports; a group's types share
one unit of issue (409 `unit_mismatch`); only a ban whose remedy is disposal counts as surplus."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import AmmunitionType, Ban
from surplus.errors import UnitMismatch
from surplus.models import GroupMember, InterchangeableGroup
from surplus.services import group_create, group_member_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def boxed(world):
    return AmmunitionType.objects.create(
        code="762-BOX",
        name="7.62 mm in boxes of 700",
        category="small_arms",
        hazard_division="1.4",
        compatibility_group="S",
        neq_per_unit_kg=Decimal("2.1"),
        shelf_life_months=240,
        unit="box",
    )


def _members():
    return (GroupMember.objects.count(), GroupMember.history.count())


def test_no_requirement_through_the_api(api_as, officer, world, stock):
    stock(5000)
    response = api_as(officer).get("/api/v1/surplus/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["requirement"], row["requirement_stated"], row["unit_mismatch"]) == (
        None,
        False,
        False,
    )
    assert (row["serviceable"], row["usable"], row["margin"], row["excess"], row["surplus"]) == (
        5000,
        5000,
        None,
        0,
        0,
    )


def test_no_requirement_is_listed_apart_on_the_dashboard_and_its_export(
    client, officer, world, stock
):
    stock(5000)
    client.force_login(officer)
    page = client.get(reverse("surplus:dashboard")).content.decode()
    assert 'data-table="not_assessed"' in page
    exported = client.get(reverse("surplus:dashboard"), {"export": "csv", "table": "not_assessed"})
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[1][:6] == ["762-BALL", "762-BALL", "other", "no requirement stated", "5000", "5000"]
    assert rows[1][-1] == "0"  # surplus
    subject = client.get(reverse("surplus:subject", args=[f"t{world.ball.pk}"])).content.decode()
    assert "no requirement stated" in subject


def test_a_type_with_another_unit_of_issue_is_refused(world, officer, boxed):
    group = group_create(code="G-762", name="7.62 any make", created_by=officer)
    group_member_add(group=group, ammunition_type=world.ball, added_by=officer)
    before = _members()
    with pytest.raises(UnitMismatch) as refused:
        group_member_add(group=group, ammunition_type=boxed, added_by=officer)
    assert refused.value.code == "unit_mismatch"
    assert refused.value.extra == {"unit": "box", "group_unit": "round"}
    assert _members() == before
    # The same unit written differently is the same unit.
    AmmunitionType.objects.filter(pk=world.tnt.pk).update(unit=" Round ")
    world.tnt.refresh_from_db()
    group_member_add(group=group, ammunition_type=world.tnt, added_by=officer)


def test_unit_mismatch_through_the_api_is_409_and_writes_nothing(api_as, world, officer, boxed):
    client = api_as(officer)
    group = client.post(
        "/api/v1/requirement-groups/", {"code": "G-762", "name": "7.62"}, format="json"
    ).json()
    url = f"/api/v1/requirement-groups/{group['id']}/types/"
    assert client.post(url, {"ammunition_type": world.ball.pk}, format="json").status_code == 201
    before = _members()
    answer = client.post(url, {"ammunition_type": boxed.pk}, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "unit_mismatch"
    assert "762-BOX" in answer.json()["detail"]
    assert _members() == before
    assert GroupMember.objects.filter(group_id=group["id"]).count() == 1


def test_a_mismatched_group_already_stored_is_flagged_in_the_api(
    api_as, world, officer, boxed, stock
):
    group = InterchangeableGroup.objects.create(code="G-OLD", name="Older data")
    GroupMember.objects.create(group=group, ammunition_type=world.ball)
    GroupMember.objects.create(group=group, ammunition_type=boxed)
    stock(300)
    [row] = api_as(officer).get("/api/v1/surplus/").json()["results"]
    assert (row["code"], row["unit_mismatch"], row["excess"]) == ("G-OLD", True, 0)


def test_ban_remedy_through_the_api(api_as, officer, inspector, world, stock):
    """A temporary ban is shown (`banned`), not surplus; a ban whose remedy is disposal is."""
    api_as(officer).post(
        "/api/v1/requirements/",
        {
            "ammunition_type": world.ball.pk,
            "effective_from": "2020-01-01",
            "operational": 1000,
            "training_per_year": 0,
            "training_years": 0,
            "testing": 0,
            "contingency": 0,
            "approval_reference": "R",
        },
        format="json",
    )
    held = stock(30)
    condemned = stock(20)
    client = api_as(inspector)
    temporary = client.post(
        "/api/v1/bans/",
        {"kind": "ban", "lot": held.pk, "reason": "Under investigation", "reference": "B-1"},
        format="json",
    )
    assert temporary.status_code == 201, temporary.json()
    assert temporary.json()["disposal_recommended"] is False
    final = client.post(
        "/api/v1/bans/",
        {
            "kind": "ban",
            "lot": condemned.pk,
            "reason": "Primer defect",
            "reference": "B-2",
            "disposal_recommended": True,
        },
        format="json",
    )
    assert final.status_code == 201, final.json()
    assert Ban.objects.get(pk=final.json()["id"]).disposal_recommended is True
    [row] = api_as(officer).get("/api/v1/surplus/").json()["results"]
    assert (row["banned"], row["obsolete_or_banned"], row["usable"], row["surplus"]) == (
        30,
        20,
        30,
        20,
    )
    before = Ban.objects.count()
    refused = client.post(
        "/api/v1/bans/",
        {
            "kind": "constraint",
            "lot": held.pk,
            "reason": "r",
            "reference": "C",
            "disposal_recommended": True,
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "disposal_recommended" in refused.json()
    assert Ban.objects.count() == before
