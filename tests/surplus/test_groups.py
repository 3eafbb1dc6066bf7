"""Groups of interchangeable types kept by officers: create, add and remove types, with
history; a type in one group only, never one whose own requirement still asks for stock; every
refusal writes nothing; officers and administrators write, auditors and others read."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from surplus.models import GroupMember, InterchangeableGroup
from surplus.selectors import surplus_view
from surplus.services import group_create, group_member_add, group_member_remove, requirement_set

pytestmark = pytest.mark.django_db


def _require(ammunition_type, officer, total, days=0):
    return requirement_set(
        ammunition_type=ammunition_type,
        effective_from=timezone.localdate() + timedelta(days=days),
        operational=total,
        training_per_year=0,
        training_years=0,
        testing=0,
        contingency=0,
        approval_reference="R",
        set_by=officer,
    )


def _counts():
    return (
        InterchangeableGroup.objects.count(),
        GroupMember.objects.count(),
        InterchangeableGroup.history.count(),
        GroupMember.history.count(),
    )


@pytest.fixture
def group(world, officer):
    return group_create(code="G-HE", name="High explosive, any make", created_by=officer)


def test_an_officer_groups_types_and_the_surplus_follows(world, stock, officer, group):
    stock(30, ammunition_type=world.ball)
    stock(20, ammunition_type=world.tnt)
    group_member_add(group=group, ammunition_type=world.ball, added_by=officer)
    group_member_add(group=group, ammunition_type=world.tnt, added_by=officer)
    requirement_set(
        group=group,
        effective_from=timezone.localdate(),
        operational=45,
        training_per_year=0,
        training_years=0,
        testing=0,
        contingency=0,
        approval_reference="R-G",
        set_by=officer,
    )
    rows = {row.code: row for row in surplus_view(officer, as_of=timezone.localdate()).by_subject}
    assert set(rows) == {"G-HE"}
    assert (rows["G-HE"].usable, rows["G-HE"].requirement, rows["G-HE"].excess) == (50, 45, 5)
    group_member_remove(group=group, ammunition_type=world.tnt, removed_by=officer)
    rows = {row.code: row for row in surplus_view(officer, as_of=timezone.localdate()).by_subject}
    # TNT-200 has no requirement of its own: its usable stock is not assessed (DESIGN.md §9).
    assert (rows["G-HE"].usable, rows["TNT-200"].usable, rows["TNT-200"].excess) == (30, 20, 0)
    assert rows["TNT-200"].requirement_stated is False
    history = [
        (r.history_type, r.ammunition_type_id, r.history_user)
        for r in GroupMember.history.order_by("history_id")
    ]
    assert history == [
        ("+", world.ball.pk, officer),
        ("+", world.tnt.pk, officer),
        ("-", world.tnt.pk, officer),
    ]
    assert InterchangeableGroup.history.get().history_user == officer


def test_refusals_write_nothing(world, officer, group):
    other = group_create(code="G-2", name="Other", created_by=officer)
    group_member_add(group=other, ammunition_type=world.detonator, added_by=officer)
    _require(world.ball, officer, 100)  # its own requirement asks for stock today
    _require(world.primary, officer, 0)
    _require(world.primary, officer, 10, days=30)  # ...and from a later date
    before = _counts()
    refusals = [
        (lambda: group_create(code="g-he", name="Again", created_by=officer), "code"),
        (lambda: group_create(code="762-ball", name="A type's code", created_by=officer), "code"),
        (lambda: group_create(code="G-3", name=" ", created_by=officer), "name"),
        (
            lambda: group_member_add(
                group=group, ammunition_type=world.detonator, added_by=officer
            ),
            "ammunition_type",
        ),
        (
            lambda: group_member_add(group=group, ammunition_type=world.ball, added_by=officer),
            "ammunition_type",
        ),
        (
            lambda: group_member_add(group=group, ammunition_type=world.primary, added_by=officer),
            "ammunition_type",
        ),
        (
            lambda: group_member_remove(group=group, ammunition_type=world.tnt, removed_by=officer),
            "ammunition_type",
        ),
    ]
    for call, field in refusals:
        with pytest.raises(ValidationError) as caught:
            call()
        assert field in caught.value.message_dict
    assert _counts() == before
    with pytest.raises(ValidationError) as caught:
        group_member_add(group=group, ammunition_type=world.ball, added_by=officer)
    assert "own national requirement (version 1, 100 from" in str(caught.value)
    # Set to 0 (the history keeps the 100), the type may join.
    _require(world.ball, officer, 0)
    group_member_add(group=group, ammunition_type=world.ball, added_by=officer)


def test_only_officers_and_admins_write(world, officer, admin_user, auditor, clerk, inspector):
    group = group_create(code="G-A", name="By an admin", created_by=admin_user)
    group_member_add(group=group, ammunition_type=world.tnt, added_by=admin_user)
    before = _counts()
    for user in (auditor, clerk, inspector):
        with pytest.raises(PermissionDenied):
            group_create(code="G-X", name="X", created_by=user)
        with pytest.raises(PermissionDenied):
            group_member_add(group=group, ammunition_type=world.ball, added_by=user)
        with pytest.raises(PermissionDenied):
            group_member_remove(group=group, ammunition_type=world.tnt, removed_by=user)
    assert _counts() == before


def test_the_group_pages(client, world, officer, auditor, clerk):
    client.force_login(officer)
    answer = client.post(reverse("surplus:group_new"), {"code": "G-HE", "name": "High explosive"})
    group = InterchangeableGroup.objects.get()
    assert answer.url == reverse("surplus:group_detail", args=[group.pk])
    url = reverse("surplus:group_detail", args=[group.pk])
    answer = client.post(url, {"ammunition_type": "tnt-200"})
    assert answer.status_code == 302
    _require(world.ball, officer, 100)
    answer = client.post(url, {"ammunition_type": "762-BALL"})
    assert answer.status_code == 400
    assert "own national requirement" in answer.content.decode()
    assert client.post(url, {"ammunition_type": "NOPE"}).status_code == 400
    assert list(GroupMember.objects.values_list("ammunition_type__code", flat=True)) == ["TNT-200"]
    page = client.get(url).content.decode()
    assert "type added: TNT-200" in page
    assert "group added: G-HE High explosive" in page
    remove = reverse("surplus:group_member_remove", args=[group.pk, world.tnt.pk])
    assert f'action="{remove}"' in page
    assert client.post(remove).status_code == 302
    assert not GroupMember.objects.exists()
    assert "type removed: TNT-200" in client.get(url).content.decode()
    # Auditors and clerks read; they change nothing.
    for user in (auditor, clerk):
        client.force_login(user)
        page = client.get(reverse("surplus:group_list")).content.decode()
        assert "G-HE" in page
        assert reverse("surplus:group_new") not in page
        assert client.get(url).status_code == 200
        before = _counts()
        assert client.post(url, {"ammunition_type": "TNT-200"}).status_code == 403
        assert (
            client.post(reverse("surplus:group_new"), {"code": "G", "name": "G"}).status_code == 403
        )
        assert client.post(remove).status_code == 403
        assert _counts() == before


def test_the_group_api(api_as, world, officer, auditor, clerk):
    client = api_as(officer)
    answer = client.post(
        "/api/v1/requirement-groups/", {"code": "G-HE", "name": "HE"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    group = answer.json()
    url = f"/api/v1/requirement-groups/{group['id']}/types/"
    answer = client.post(url, {"ammunition_type": world.tnt.pk}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["types"] == [world.tnt.pk]
    _require(world.ball, officer, 100)
    before = _counts()
    for body in ({"ammunition_type": world.ball.pk}, {"ammunition_type": 0}, {}):
        answer = client.post(url, body, format="json")
        assert answer.status_code == 400
    answer = client.post(
        "/api/v1/requirement-groups/", {"code": "TNT-200", "name": "X"}, format="json"
    )
    assert answer.status_code == 400
    assert client.delete(f"{url}{world.ball.pk}/").status_code == 400  # not in the group
    for user in (auditor, clerk):
        reader = api_as(user)
        assert reader.get(f"/api/v1/requirement-groups/{group['id']}/").status_code == 200
        assert (
            reader.post(url, {"ammunition_type": world.detonator.pk}, format="json").status_code
            == 403
        )
        assert reader.delete(f"{url}{world.tnt.pk}/").status_code == 403
        answer = reader.post(
            "/api/v1/requirement-groups/", {"code": "G", "name": "G"}, format="json"
        )
        assert answer.status_code == 403
    assert _counts() == before
    answer = client.delete(f"{url}{world.tnt.pk}/")
    assert answer.status_code == 200
    assert answer.json()["types"] == []
