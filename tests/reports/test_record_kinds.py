"""Inspection report, stability test certificate and stock check report from known records."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from reports.models import ReportStatus
from reports.selectors import report_list
from reports.services import report_request, report_verify
from stockchecks import services as checks
from surveillance.services import inspection_record, stability_test_record
from tests.reports.conftest import pdf_reader, pdf_text
from tests.stockchecks.conftest import clerk2, stocked  # noqa: F401 (fixtures)
from tests.surveillance.conftest import charge_lot, charges  # noqa: F401 (fixtures)


@pytest.fixture
def inspection(charge_lot, inspector, world, media):  # noqa: F811
    return inspection_record(
        lot=charge_lot,
        depot=world.depot_a,
        storehouse=world.sh1,
        kind="periodic",
        inspected_on=timezone.localdate() - timedelta(days=1),
        sample_size=12,
        findings="Rust on 2 of 12 containers.\nSeals intact; <markings> legible.",
        condition="B",
        inspector=inspector,
    )


def test_the_inspection_report(inspection, inspector, clerk):
    run = report_request(
        kind="inspection", parameters={"inspection": inspection.pk}, requested_by=clerk
    )
    assert run.status == ReportStatus.DONE, run.error
    assert run.line_count is None
    assert run.ledger_digest == ""
    assert len(run.record_digest) == 64
    text = pdf_text(run)
    assert "Inspection report" in text
    assert "CHG-20-01" in text
    assert "Rust on 2 of 12 containers." in text
    assert "Seals intact; <markings> legible." in text
    assert re.search(r"Condition decided\s+B", text)
    assert "Inspector (ATO)" in text  # a signature block
    assert run.record_digest in text.replace("\n", "")
    assert run.page_count == len(pdf_reader(run).pages) == 1
    assert "Page 1 of 1" in text
    assert not run.csv_file  # not tabular


def test_the_stability_certificate_and_its_record_digest(
    charge_lot,  # noqa: F811
    inspector,
    world,
    media,
):
    test = stability_test_record(
        lot=charge_lot,
        depot=world.depot_a,
        sampled_on=timezone.localdate() - timedelta(days=3),
        laboratory="National Propellant Laboratory",
        method="hplc",
        stabiliser="diphenylamine",
        initial_content_pct=Decimal("1.200"),
        measured_content_pct=Decimal("0.540"),
        tested_by=inspector,
    )
    run = report_request(
        kind="stability_certificate", parameters={"stability_test": test.pk}, requested_by=inspector
    )
    assert run.status == ReportStatus.DONE, run.error
    text = pdf_text(run)
    assert "Propellant stability test certificate" in text
    assert re.search(r"Remaining effective stabiliser\s+45.00 % of initial", text)
    assert re.search(r"Category\s+monitor", text)
    assert "Category: Monitor" in text
    assert re.search(r"Next test due\s+" + re.escape(test.next_test_due.isoformat()), text)
    verified = report_verify(user=inspector, runs=report_list(user=inspector), number=run.number)
    assert verified.matches
    assert verified.record_matches
    with connection.cursor() as cursor:  # what a database administrator could do
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE surveillance_stabilitytest DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE surveillance_stabilitytest SET laboratory = 'Another' WHERE id = %s", [test.pk]
        )
        cursor.execute("ALTER TABLE surveillance_stabilitytest ENABLE TRIGGER USER")
    verified = report_verify(user=inspector, runs=report_list(user=inspector), number=run.number)
    assert not verified.matches
    assert verified.record_matches is False


@pytest.fixture
def approved_check(stocked, clerk, clerk2, inspector, media):  # noqa: F811
    w = stocked.world
    check = checks.stock_check_plan(depot=w.depot_a, planned_by=clerk, kind="full")
    check = checks.stock_check_start(stock_check=check, started_by=clerk)
    checks.stock_check_count(
        stock_check=check, counted_by=clerk2, lot=stocked.l1, storehouse=w.sh2, quantity=98
    )
    checks.stock_check_count(
        stock_check=check, counted_by=clerk2, lot=stocked.l2, storehouse=w.sh2, quantity=50
    )
    checks.stock_check_count(
        stock_check=check, counted_by=clerk2, lot=stocked.t1, storehouse=w.sh1, quantity=20
    )
    checks.stock_check_submit(stock_check=check, submitted_by=clerk)
    return checks.stock_check_approve(stock_check=check, approved_by=inspector)


def test_the_stock_check_report_covers_its_adjustments(approved_check, inspector, clerk):
    run = report_request(
        kind="stock_check", parameters={"stock_check": approved_check.pk}, requested_by=inspector
    )
    assert run.status == ReportStatus.DONE, run.error
    assert run.line_count == 1  # the adjustment of -2 posted on approval
    text = pdf_text(run)
    assert "Stock check report" in text
    assert approved_check.number in text
    assert re.search(r"BALL-1\s+762-BALL\s+SH2\s+100\s+0\s+100\s+98\s+-2", text)
    assert re.search(r"BALL-2\s+762-BALL\s+SH2\s+50\s+0\s+50\s+50\s+0", text)
    assert re.search(r"Net variance \(units\)\s+-2", text)
    adjustment = approved_check.adjustments.get()
    assert adjustment.number in text
    with run.csv_file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert {row["lot"]: row["variance"] for row in rows} == {
        "BALL-1": "-2", "BALL-2": "0", "TNT-1": "0"
    }  # fmt: skip
    # The report shows the book: a clerk may neither request nor read it.
    with pytest.raises(PermissionDenied):
        report_request(
            kind="stock_check", parameters={"stock_check": approved_check.pk}, requested_by=clerk
        )
    assert list(report_list(user=clerk)) == []


def test_a_check_still_counting_is_not_reported(stocked, clerk, inspector):  # noqa: F811
    check = checks.stock_check_plan(depot=stocked.world.depot_a, planned_by=clerk, kind="full")
    with pytest.raises(ValidationError) as caught:
        report_request(
            kind="stock_check", parameters={"stock_check": check.pk}, requested_by=inspector
        )
    assert "stock_check" in caught.value.message_dict
