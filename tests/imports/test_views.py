"""The imports pages: upload → preview (errors highlighted, nothing written) → confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from imports.models import ImportRun, ImportStatus
from inventory.models import Balance
from tests.imports.conftest import counts, csv_file, row
from tests.imports.test_opening_service import BAD_ROWS

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_file(client, depot, data, name="ledger.csv"):
    return client.post(
        "/imports/new/",
        {
            "kind": "opening_balances",
            "depot": depot.pk,
            "reference": "Paper ledgers",
            "file": SimpleUploadedFile(name, data),
        },
    )


def test_a_bad_file_shows_every_row_and_writes_nothing(world, clerk):
    client = signed_in(clerk)
    before = counts()
    response = post_file(client, world.depot_a, csv_file([row(), row(lot="X", quantity="2.5")]))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="row-2" class="row-error"' in page
    assert 'id="row-1">' in page
    assert "bad_quantity" in page
    assert "Nothing was written" in page
    assert counts() == before
    assert not ImportRun.objects.exists()


def test_upload_preview_confirm(world, clerk, clerk_b):
    client = signed_in(clerk)
    response = post_file(client, world.depot_a, csv_file([row(), row(lot="T-2", quantity="5")]))
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.VALIDATED
    assert not Balance.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "confirm-import" in page
    assert "TNT-OB-1" in page
    # Another depot's clerk sees no such import.
    assert signed_in(clerk_b).get(response["Location"]).status_code == 404
    assert signed_in(clerk_b).post(f"/imports/{run.pk}/confirm/").status_code == 404
    response = client.post(f"/imports/{run.pk}/confirm/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED
    assert Balance.objects.filter(storehouse=world.sh1).count() == 2
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Imported" in page
    # The document traces each line back to its row of the file.
    document = client.get(reverse("inventory:document_detail", args=[run.documents[0]]))
    text = document.content.decode()
    assert 'id="document-source"' in text
    assert run.file_sha256 in text
    assert '<td>2</td><td class="lot-number">T-2</td>' in text
    # The same file again: refused, nothing written.
    before = counts()
    response = post_file(client, world.depot_a, csv_file([row(), row(lot="T-2", quantity="5")]))
    assert response.status_code == 200
    assert "already imported" in response.content.decode()
    assert counts() == before


def test_a_large_file_is_queued_with_progress(world, clerk, settings):
    settings.IMPORT_ASYNC_ROWS = 1
    client = signed_in(clerk)
    post_file(client, world.depot_a, csv_file([row(), row(lot="T-2")]))
    run = ImportRun.objects.get()
    client.post(f"/imports/{run.pk}/confirm/")
    run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED
    partial = client.get(f"/imports/{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in partial
    assert "<progress" in partial


def test_who_sees_the_pages(world, clerk, inspector, auditor):
    assert signed_in(inspector).get("/imports/new/").status_code == 403
    assert signed_in(auditor).get("/imports/new/").status_code == 403
    for path in ("/imports/", "/imports/new/", "/imports/help/"):
        assert signed_in(clerk).get(path).status_code == 200, path
    response = signed_in(clerk).get("/imports/template/opening_balances.csv")
    assert response.status_code == 200
    assert response.content.decode().startswith("storehouse,ammunition_type")
    assert signed_in(clerk).get("/imports/template/nope.csv").status_code == 404


def test_the_balances_export_page_link(world, clerk, clerk_b):
    response = signed_in(clerk).get(
        "/imports/export/", {"depot": world.depot_a.pk, "format": "csv"}
    )
    assert response.status_code == 200
    assert response.content.decode().startswith("storehouse,")
    assert (
        signed_in(clerk_b).get("/imports/export/", {"depot": world.depot_a.pk}).status_code == 404
    )


@pytest.mark.parametrize(("bad", "column", "code"), BAD_ROWS)
def test_every_bad_row_through_the_page(world, propellant, clerk, bad, column, code):
    before = counts()
    response = post_file(signed_in(clerk), world.depot_a, csv_file([row(lot="GOOD-1"), bad]))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="row-2" class="row-error"' in page
    assert f"<code>{code}</code>" in page
    assert 'id="row-1">' in page  # the good row is shown, not highlighted
    assert counts() == before
    assert not ImportRun.objects.exists()


def test_an_unreadable_file_through_the_page(world, clerk):
    before = counts()
    response = post_file(signed_in(clerk), world.depot_a, "a;b\n".encode("utf-16"))
    assert response.status_code == 400
    assert "bad_encoding" in response.content.decode()
    assert counts() == before
