"""The surplus pages: the dashboard for each role, drill-down, exports equal to the screen,
fixed query counts, requirements, snapshots and the plan pages."""

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from surplus.models import DisposalPlan, PlanStatus, Requirement
from surplus.services import requirement_set
from tests.surplus.conftest import months

pytestmark = pytest.mark.django_db


def _set(world, officer, total, ammunition_type=None):
    return requirement_set(
        ammunition_type=ammunition_type or world.ball,
        effective_from=timezone.localdate(),
        operational=total,
        training_per_year=0,
        training_years=0,
        testing=0,
        contingency=0,
        approval_reference="R",
        set_by=officer,
    )


@pytest.fixture
def stocked(world, stock, officer):
    _set(world, officer, 100)
    stock(300)
    stock(50, depot="b", expires_in=months(4))
    stock(20, condition="H")
    stock(7, ammunition_type=world.tnt, condition="E", depot="b")
    return world


def _table(html: str, key: str) -> list[list[str]]:
    """The text of each body row of the table `key` on the page (actions column dropped)."""
    match = re.search(rf'<table class="data" data-table="{key}">(.*?)</table>', html, re.S)
    assert match, key
    body = match.group(1).split("<tbody>")[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td(?: class=\"num\")?>(.*?)</td>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def _headers(html: str, key: str) -> list[str]:
    match = re.search(rf'<table class="data" data-table="{key}">(.*?)</thead>', html, re.S)
    return [unescape(h).strip() for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", match.group(1))]


def _plain(value: str) -> str:
    return value.replace(",", "").replace("—", "")


@pytest.mark.parametrize(
    "table",
    [
        "totals",
        "categories",
        "types",
        "not_assessed",
        "depots",
        "unserviceable",
        "expiring",
        "regions",
        "top",
    ],
)
def test_exports_contain_exactly_what_the_screen_shows(client, officer, stocked, table):
    client.force_login(officer)
    page = client.get(reverse("surplus:dashboard"))
    assert page.status_code == 200
    screen = [[_plain(c) for c in row] for row in _table(page.content.decode(), table)]
    assert screen, table
    exported = client.get(reverse("surplus:dashboard"), {"export": "csv", "table": table})
    assert exported["Content-Type"].startswith("text/csv")
    reader = list(csv.reader(io.StringIO(exported.content.decode())))
    assert [[_plain(c) for c in row] for row in reader[1:]] == screen
    xlsx = client.get(reverse("surplus:dashboard"), {"export": "xlsx", "table": table})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [
        ["" if v is None else _plain(str(v)) for v in row]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert len(values) == len(screen)
    for got, want in zip(values, screen, strict=True):
        assert [g.removesuffix(".0") for g in got] == [w.removesuffix(".000") for w in want] or [
            float(g) if _num(g) else g for g in got
        ] == [float(w) if _num(w) else w for w in want]


def _num(text: str) -> bool:
    return bool(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text))


def test_the_dashboard_opens_with_figures_that_match_the_totals(client, officer, stocked):
    client.force_login(officer)
    html = client.get(reverse("surplus:dashboard")).content.decode()
    totals = dict(zip(_headers(html, "totals"), _table(html, "totals")[0], strict=True))
    headline = re.search(r'<ul class="headline"[^>]*>(.*?)</ul>', html, re.S).group(1)
    figures = {
        unescape(label): (_plain(figure), section)
        for section, figure, label in re.findall(
            r'<a href="#([\w-]+)"><span class="value">([^<]*)</span> '
            r'<span class="label">([^<]*)</span>',
            headline,
        )
    }
    assert figures["Holdings (units)"][0] == _plain(totals["Holdings"])
    assert figures["Surplus (units)"][0] == _plain(totals["Surplus"])
    assert figures["Unserviceable awaiting disposal"][0] == _plain(totals["Unserviceable"])
    # Every figure links to a section of the page, and the contents name every section.
    for _value, section in figures.values():
        assert f'id="{section}"' in html
    assert html.count('<nav class="sections') == 1
    assert "Open critical alerts" in headline


def test_the_dashboard_speaks_the_users_language(client, officer, stocked):
    """Its figures and column titles are declared once for every request: lazily translated,
    not frozen in the language of the process that imported them."""
    officer.language = "fr"
    officer.save()
    client.force_login(officer)
    html = client.get(reverse("surplus:dashboard")).content.decode()
    with translation.override("fr"):
        for text in ("Requirement (units)", "Holdings NEQ (kg)", "Expiring before use"):
            assert translation.gettext(text) != text
            assert unescape(translation.gettext(text)) in unescape(html)
    assert "Requirement (units)" not in html
    assert _headers(html, "totals")[0] == "Besoin"


def test_filtered_export_follows_the_filter(client, officer, stocked):
    client.force_login(officer)
    depot_b = stocked.depot_b
    page = client.get(reverse("surplus:dashboard"), {"depot": depot_b.pk})
    screen = _table(page.content.decode(), "types")
    exported = client.get(
        reverse("surplus:dashboard"), {"depot": depot_b.pk, "export": "csv", "table": "types"}
    )
    reader = list(csv.reader(io.StringIO(exported.content.decode())))
    assert len(reader) - 1 == len(screen) == 2


def test_clerk_sees_own_depot_only(client, clerk, stocked):
    client.force_login(clerk)
    page = client.get(reverse("surplus:dashboard"))
    assert page.status_code == 200
    depots = _table(page.content.decode(), "depots")
    assert [row[0] for row in depots] == ["DA"]
    assert (
        client.get(reverse("surplus:dashboard"), {"depot": stocked.depot_b.pk}).status_code == 200
    )
    # Another depot in the filter is not a choice: the filter is ignored, the scope holds.
    assert "DB" not in [
        row[0]
        for row in _table(
            client.get(
                reverse("surplus:dashboard"), {"depot": stocked.depot_b.pk}
            ).content.decode(),
            "depots",
        )
    ]


def test_auditor_reads_but_sets_nothing(client, auditor, stocked):
    client.force_login(auditor)
    page = client.get(reverse("surplus:dashboard"))
    assert page.status_code == 200
    assert "Set a requirement" not in page.content.decode()
    assert client.get(reverse("surplus:requirement_new")).status_code == 403
    assert client.post(reverse("surplus:snapshot_list")).status_code == 403
    assert client.get(reverse("surplus:plan_new")).status_code == 403


def test_officer_sets_requirement_and_the_surplus_changes(client, officer, stocked):
    client.force_login(officer)
    response = client.post(
        reverse("surplus:requirement_new"),
        {
            "subject": "762-ball",
            "effective_from": timezone.localdate().isoformat(),
            "operational": "200",
            "training_per_year": "10",
            "training_years": "2",
            "testing": "5",
            "contingency": "5",
            "approval_reference": "MoD/2",
        },
    )
    assert response.status_code == 302
    latest = Requirement.objects.filter(ammunition_type=stocked.ball).order_by("-version").first()
    assert (latest.version, latest.total) == (2, 230)
    page = client.get(reverse("surplus:subject", args=[f"t{stocked.ball.pk}"]))
    assert 'id="fact-requirement">230<' in page.content.decode()


def test_requirement_form_errors_write_nothing(client, officer, stocked):
    client.force_login(officer)
    response = client.post(reverse("surplus:requirement_new"), {"subject": "NOPE"})
    assert response.status_code == 200
    assert "No ammunition type or group has this code." in response.content.decode()
    assert Requirement.objects.count() == 1


def test_drill_down_to_a_lot_and_plan_its_disposal(client, officer, officer2, clerk, stocked):
    client.force_login(officer)
    page = client.get(
        reverse("surplus:subject", args=[f"t{stocked.ball.pk}"]), {"depot": stocked.depot_a.pk}
    )
    html = page.content.decode()
    lots = _table(html, "lots")
    assert {row[2] for row in lots} == {"DA"}
    link = re.search(r'href="(/surplus/disposal/new/\?depot=\d+&amp;lot=\d+)"', html).group(1)
    form = client.get(unescape(link))
    assert form.status_code == 200
    today = timezone.localdate()
    unserviceable = next(row for row in lots if row[3] == "unserviceable")
    storehouse = stocked.sh1.pk
    response = client.post(
        reverse("surplus:plan_new"),
        {
            "depot": stocked.depot_a.pk,
            "method": "open_burning",
            "site": "Range 4",
            "scheduled_from": today.isoformat(),
            "scheduled_until": (today + timedelta(days=9)).isoformat(),
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-lot_number": unserviceable[0],
            "lines-0-storehouse": storehouse,
            "lines-0-quantity": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = DisposalPlan.objects.get()
    # The author may not approve; another officer does; the clerk executes; a certificate.
    detail = client.get(reverse("surplus:plan_detail", args=[plan.pk])).content.decode()
    assert 'id="approve-form"' not in detail
    client.force_login(officer2)
    assert client.post(reverse("surplus:plan_approve", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    client.force_login(clerk)
    line = plan.lines.get()
    response = client.post(
        reverse("surplus:plan_execute", args=[plan.pk]),
        {
            "executed_on": today.isoformat(),
            "witnesses": "Capt. Mensah, ATO\nMs Okafor, NEI",
            f"line_{line.pk}": "20",
        },
    )
    assert response.status_code == 302
    execution = plan.executions.get()
    certificate = client.get(reverse("surplus:certificate", args=[execution.pk]))
    text = certificate.content.decode()
    assert "Destruction certificate" in text
    assert "Ms Okafor" in text


@pytest.fixture
def own_draft(officer, stocked):
    """A draft plan of 5 unserviceable rounds, drafted by `officer`."""
    from inventory.models import Lot

    return _plan(stocked, officer, Lot.objects.get(condition="H"))


def test_self_approval_shown_on_the_page(client, officer, own_draft):
    client.force_login(officer)
    response = client.post(reverse("surplus:plan_approve", args=[own_draft.pk]))
    assert response.status_code == 200
    assert "other than its author" in response.content.decode()


def test_author_refused_another_action_is_not_offered_approval(client, officer, own_draft):
    """Only a refused approval shows the approve form to the plan's author; a refused close
    (here, a note over its length) shows the page as a GET would, without it."""
    client.force_login(officer)
    assert (
        'id="approve-form"'
        not in client.get(reverse("surplus:plan_detail", args=[own_draft.pk])).content.decode()
    )
    response = client.post(reverse("surplus:plan_close", args=[own_draft.pk]), {"note": "x" * 5001})
    assert response.status_code == 200
    page = response.content.decode()
    assert "at most 5000 characters" in page
    assert 'id="approve-form"' not in page
    own_draft.refresh_from_db()
    assert own_draft.status == "draft"


def test_snapshot_pages(client, officer, stocked):
    client.force_login(officer)
    response = client.post(reverse("surplus:snapshot_list"))
    assert response.status_code == 302
    from surplus.models import SurplusSnapshot
    from surplus.services import snapshot_take

    snapshot = SurplusSnapshot.objects.get()
    snapshot_take(snapshot)
    page = client.get(reverse("surplus:snapshot_detail", args=[snapshot.pk]))
    assert "rows stored" in page.content.decode()
    screen = _table(page.content.decode(), "rows")
    assert [(row[0], row[1], row[9]) for row in screen] == [
        ("762-BALL", "national", "270"),
        ("TNT-200", "national", "7"),
    ]
    exported = client.get(
        reverse("surplus:snapshot_detail", args=[snapshot.pk]), {"export": "csv", "table": "rows"}
    )
    assert len(list(csv.reader(io.StringIO(exported.content.decode())))) == 3
    assert client.get(reverse("surplus:snapshot_list")).status_code == 200


def test_requirement_list_page(client, clerk, stocked):
    client.force_login(clerk)
    page = client.get(reverse("surplus:requirement_list"))
    assert page.status_code == 200
    assert _table(page.content.decode(), "current")[0][0] == "762-BALL"


def _plan(world, officer, lot, quantity=5):
    from surplus.services import PlanLineInput, disposal_plan_create

    today = timezone.localdate()
    return disposal_plan_create(
        depot=world.depot_a,
        method="open_burning",
        site="R",
        scheduled_from=today,
        scheduled_until=today,
        lines=[PlanLineInput(lot.pk, world.sh1.pk, quantity)],
        created_by=officer,
    )


def test_plan_pages_scoped_by_depot(client, officer, clerk, clerk_b, inspector, stocked):
    from inventory.models import Lot

    plan = _plan(stocked, officer, Lot.objects.get(condition="H"))
    for user, status in ((clerk, 200), (inspector, 200), (clerk_b, 404)):
        client.force_login(user)
        assert client.get(reverse("surplus:plan_detail", args=[plan.pk])).status_code == status
    client.force_login(clerk_b)
    assert plan.number not in client.get(reverse("surplus:plan_list")).content.decode()
    client.force_login(clerk)
    assert client.post(reverse("surplus:plan_approve", args=[plan.pk])).status_code == 403


def test_inspector_sees_own_depot_only(client, inspector, stocked):
    client.force_login(inspector)
    page = client.get(reverse("surplus:dashboard")).content.decode()
    assert [row[0] for row in _table(page, "depots")] == ["DA"]
    assert "TNT-200" not in [row[0] for row in _table(page, "types")]  # held in DB only


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_are_in_the_audit_log(client, officer, stocked, file_format):
    """Issue 15: the surplus pages' exports were the only ones the audit log missed."""
    from audit.models import AuditEvent

    client.force_login(officer)
    params = {"region": "North", "export": file_format, "table": "types"}
    assert client.get(reverse("surplus:dashboard"), params).status_code == 200
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.object_type, event.object_id) == (officer, "surplus.table", "types")
    assert event.detail == f"{file_format} region=North"
    assert event.object_repr == "surplus types"


def test_a_refused_export_is_not_logged(client, officer, stocked):
    from audit.models import AuditEvent

    client.force_login(officer)
    params = {"export": "ods", "table": "types"}
    assert client.get(reverse("surplus:dashboard"), params).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def _open_sections(html: str) -> set[str]:
    return set(
        re.findall(r'<details class="card surplus-table section" id="table-(\w+)" open>', html)
    )


def test_the_tables_are_sections_closed_until_asked_for(client, officer, stocked):
    """The page opens with its figures and charts; every table is on it (the exports and a find
    in the page reach them), each a section closed but for the totals; ?section= opens one more,
    ?section=all every one; an unknown section is ignored."""
    client.force_login(officer)
    url = reverse("surplus:dashboard")
    html = client.get(url).content.decode()
    keys = set(re.findall(r'<details class="card surplus-table section" id="table-(\w+)"', html))
    assert {"totals", "types", "not_assessed", "depots", "unserviceable", "trend"} <= keys
    assert _open_sections(html) == {"totals"}
    assert (
        html.index('<ul class="headline"') < html.index("<svg") < html.index('<details class="card')
    )
    assert '<a href="?section=all">Open every section</a>' in html
    assert _open_sections(client.get(url, {"section": "types"}).content.decode()) == {
        "totals",
        "types",
    }
    assert _open_sections(client.get(url, {"section": "all"}).content.decode()) == keys
    assert _open_sections(client.get(url, {"section": "<x>"}).content.decode()) == {"totals"}
    # Filters are kept when every section is opened.
    html = client.get(url, {"category": "small_arms"}).content.decode()
    assert 'href="?category=small_arms&amp;section=all"' in html
