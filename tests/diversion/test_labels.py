"""Lot labels: the QR code and the barcode carry "lot|type"; scanned into a lot box (the clerk's
search-as-you-type, the case form, the trace page) the payload finds the lot."""

import pytest
from django.urls import reverse

from inventory.labels import label_payload, scanned_lot

pytestmark = pytest.mark.django_db


def test_payload_and_scan_round_trip():
    assert label_payload("BALL-7", "762-BALL") == "BALL-7|762-BALL"
    assert scanned_lot("BALL-7|762-BALL") == ("BALL-7", "762-BALL")
    assert scanned_lot("  ball-7 ") == ("ball-7", "")


def test_the_label_page_draws_both_codes(client, transfer, clerk):
    client.force_login(clerk)
    page = client.get(reverse("diversion:lot_labels"), {"lot": transfer.lot.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="segno"') == 1  # the QR code
    assert "barcode_group" in html  # the Code 128 barcode
    assert "BALL-7|762-BALL" in html
    assert client.get(reverse("diversion:lot_labels")).status_code == 404


def test_a_scanned_label_finds_the_lot_in_the_clerks_lot_search(client, transfer, clerk):
    w = transfer.world
    other = w.lot(w.tnt, "BALL-7", manufacturer="Other")  # same number, another type
    w.stock(clerk, other, w.sh1, 5)
    client.force_login(clerk)
    found = client.get(
        reverse("inventory:lot_search"), {"q": "BALL-7|762-BALL"}, HTTP_HX_REQUEST="true"
    )
    assert found.status_code == 200
    html = found.content.decode()
    assert "762-BALL" in html
    assert "TNT-200" not in html  # the type on the label tells the two lots apart
    typed = client.get(reverse("inventory:lot_search"), {"q": "ball-7"}, HTTP_HX_REQUEST="true")
    assert "TNT-200" in typed.content.decode()


def test_a_scanned_label_fills_a_case_line_and_the_trace(client, transfer, officer):
    client.force_login(officer)
    trace = client.get(reverse("diversion:trace"), {"lot_number": "BALL-7|762-BALL"})
    assert "Arsenal 10" in trace.content.decode()


def test_a_scanned_label_submitted_on_a_posting_line_names_the_lot(client, transfer, clerk):
    """Submitted without picking from the list, `lot|type` still names the lot (and the type
    tells it from another lot of the same number)."""
    from django.utils import timezone

    from inventory.models import Document
    from tests.inventory.test_views import lines_data

    w = transfer.world
    other = w.lot(w.tnt, "BALL-7", manufacturer="Other")
    w.stock(clerk, other, w.sh1, 5)
    client.force_login(clerk)
    answer = client.post(
        reverse("inventory:issue_new"),
        {
            "occurred_on": timezone.localdate().isoformat(),
            "recipient": w.unit.pk,
            "purpose": "Training",
            **lines_data(
                [{"lot_number": "BALL-7|762-BALL", "storehouse": w.sh2.pk, "quantity": 4}]
            ),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    issue = Document.objects.get(kind="issue")
    assert [(line.lot_id, line.quantity) for line in issue.lines.all()] == [(transfer.lot.pk, -4)]
