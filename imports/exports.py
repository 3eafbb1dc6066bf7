"""Files in the import's own format (DESIGN.md §14, issue 19 item 3): the blank templates, and a
depot's balances, so a depot moves between installations by export then import. Every file is
written by core.exports (formula-like text neutralised; the importer reads it back as it was)."""

from __future__ import annotations

from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from core.exports import XLSX_CONTENT_TYPE, csv_response, xlsx_response
from core.net import client_ip
from core.ratelimit import RateScope, rate_limit
from imports.opening import COLUMNS, EXAMPLE
from imports.reference import REFERENCE
from inventory.models import Balance, Depot
from inventory.services.lots import lot_expiry

FORMATS = ("csv", "xlsx")
XLSX_TYPE = XLSX_CONTENT_TYPE


def template_columns(kind: str) -> tuple[list[str], list[str]]:
    if kind == "opening_balances":
        return COLUMNS, EXAMPLE
    spec = REFERENCE[kind]
    return spec.columns, spec.example


def template_response(kind: str, file_format: str):
    """The header and one example row of a kind of import, as CSV or XLSX."""
    columns, example = template_columns(kind)
    name = f"import-{kind.replace('_', '-')}-template.{file_format}"
    if file_format == "xlsx":
        return xlsx_response(columns, [example], filename=name, sheet=kind)
    return csv_response(columns, [example], filename=name)


def balance_rows(depot: Depot):
    """A depot's stock on hand, one row per lot and storehouse, in the import's columns: what an
    import of the file into an empty installation gives back. The expiry is written only when it
    is not the one the type's shelf life gives (an override or an extension)."""
    balances = (
        Balance.objects.filter(depot=depot, quantity__gt=0)
        .select_related("storehouse", "lot__ammunition_type", "lot__surveillance")
        .order_by("storehouse__code", "lot__ammunition_type__code", "lot__lot_number", "lot_id")
    )
    for balance in balances.iterator(chunk_size=2000):
        lot = balance.lot
        expiry = lot.expires_on
        if expiry == lot_expiry(lot.ammunition_type, lot.manufactured_on):
            expiry = None
        surveillance = getattr(lot, "surveillance", None)
        tested = surveillance.last_stability_test_on if surveillance else None
        yield [
            balance.storehouse.code,
            lot.ammunition_type.code,
            lot.lot_number,
            lot.manufacturer,
            lot.manufactured_on.isoformat(),
            balance.quantity,
            lot.condition_id,
            expiry.isoformat() if expiry else "",
            tested.isoformat() if tested else "",
            surveillance.last_stability_category if tested else "",
            "",
        ]


def balances_export_response(request, depot: Depot, file_format: str):
    """A depot's balances as an import file: rate-limited like every export, and logged."""
    rate_limit(request.user, RateScope.EXPORT)
    audit_record(
        action=AuditAction.EXPORT,
        actor=request.user,
        object_type="inventory.depot",
        object_id=str(depot.pk),
        object_repr=depot.code,
        detail=f"balances in import format ({file_format})",
        ip_address=client_ip(request),
    )
    stamp = timezone.localdate().isoformat()
    name = f"balances-{depot.code}-{stamp}.{file_format}"
    rows = balance_rows(depot)
    if file_format == "xlsx":
        return xlsx_response(COLUMNS, rows, filename=name, sheet="opening_balances")
    return csv_response(COLUMNS, rows, filename=name)
