"""The explosive limit licence PDF (report kind `explosive_licence`): rendered, verifiable, and
its verification fails when a distance changes."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from qd.models import ExposedSiteDistance
from qd.services import exposed_site_create
from reports.models import ReportStatus
from reports.selectors import report_list
from reports.services import report_request, report_verify
from tests.reports.conftest import media, pdf_text  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sited(admin_user, depot_a, sh1, sh2, licence):
    exposed_site_create(
        depot=depot_a,
        name="Village",
        kind="inhabited_building",
        distances=[{"storehouse": sh1, "distance_m": Decimal("480")}],
        created_by=admin_user,
    )
    return licence


def test_the_licence_pdf_shows_the_figures_and_verifies(sited, inspector, auditor, media):  # noqa: F811
    run = report_request(
        kind="explosive_licence", parameters={"licence": sited.pk}, requested_by=inspector
    )
    assert run.status == ReportStatus.DONE, run.error
    text = pdf_text(run)
    assert "Explosive limit licence" in text
    assert sited.number in text
    assert "Village" in text
    assert "10,107" in text
    assert re.search(r"20,000 — BEYOND\s+QD", text)  # 20,000 kg of 1.1 licensed
    with run.csv_file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    first = rows[0]
    assert (first["division"], first["permitted_neq_kg"], first["governing_site"]) == (
        "1.1",
        "10107",
        "Village",
    )
    verified = report_verify(user=auditor, runs=report_list(user=auditor), number=run.number)
    assert verified.matches
    ExposedSiteDistance.objects.update(distance_m=Decimal("700"))
    verified = report_verify(user=auditor, runs=report_list(user=auditor), number=run.number)
    assert not verified.matches
    assert verified.record_matches is False


def test_the_licence_pdf_is_read_within_the_depot_only(sited, clerk_b):
    with pytest.raises(ValidationError):
        report_request(
            kind="explosive_licence", parameters={"licence": sited.pk}, requested_by=clerk_b
        )
