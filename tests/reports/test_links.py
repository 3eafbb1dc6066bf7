"""The pages of the records a report is about link to its request form, preselected; the link is
shown only to those who may read that kind of report."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from surveillance.services import stability_test_record
from tests.reports.test_record_kinds import approved_check, inspection  # noqa: F401 (fixtures)
from tests.stockchecks.conftest import clerk2, stocked  # noqa: F401 (fixtures)
from tests.surveillance.conftest import charge_lot, charges  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def report_link(html: str, label: str) -> str:
    """The href of the link (or button link) whose text is `label`."""
    match = re.search(r'href="([^"]*/reports/new/\?[^"]*)"[^>]*>' + re.escape(label), html)
    assert match, f"no link {label!r}"
    return match.group(1).replace("&amp;", "&")


def follow(client, href: str) -> str:
    response = client.get(href)
    assert response.status_code == 200
    return response.content.decode()


def test_stock_card_links_to_its_pdf(client, world, clerk):
    lot = world.lot(world.ball)
    world.stock(clerk, lot, world.sh1, 10)
    client.force_login(clerk)
    html = client.get(f"/lots/{lot.pk}/card/?storehouse={world.sh1.pk}").content.decode()
    href = report_link(html, "Stock card as PDF")
    assert f"lot={lot.pk}" in href
    assert f"depot={world.depot_a.pk}" in href
    form = follow(client, href)
    assert 'name="kind" value="stock_card"' in form


def test_inspection_and_stability_links(client, inspector, world, charge_lot, inspection):  # noqa: F811
    test = stability_test_record(
        lot=charge_lot,
        depot=world.depot_a,
        sampled_on=timezone.localdate() - timedelta(days=3),
        laboratory="National Propellant Laboratory",
        method="hplc",
        stabiliser="diphenylamine",
        initial_content_pct=Decimal("1.200"),
        measured_content_pct=Decimal("1.100"),
        tested_by=inspector,
    )
    client.force_login(inspector)
    lot_page = client.get(f"/surveillance/lots/{charge_lot.pk}/").content.decode()
    assert f"inspection={inspection.pk}" in report_link(lot_page, "Report (PDF)")
    detail = client.get(f"/surveillance/stability-tests/{test.pk}/").content.decode()
    assert f"stability_test={test.pk}" in report_link(detail, "Certificate as PDF")


def test_stock_check_report_link_for_inspectors_not_clerks(
    client,
    approved_check,  # noqa: F811
    inspector,
    clerk,
):
    path = f"/stock-checks/{approved_check.pk}/"
    client.force_login(inspector)
    href = report_link(client.get(path).content.decode(), "Stock check report (PDF)")
    assert f"stock_check={approved_check.pk}" in href
    follow(client, href)
    client.force_login(clerk)
    assert "Stock check report (PDF)" not in client.get(path).content.decode()
