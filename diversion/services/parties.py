"""The register of parties and their documents: who may receive or handle a transfer."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.history import history_save
from core.roles import Action
from core.scoping import require
from diversion.models import (
    AuthenticationResult,
    Party,
    PartyDocument,
    PartyDocumentKind,
    PartyKind,
    PartyStatus,
)
from diversion.services.common import _check_choice, _check_country, _check_given


def _check_identifiers(identifiers) -> dict[str, str]:
    if not isinstance(identifiers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k.strip() and len(k) <= 60 and len(v) <= 120
        for k, v in identifiers.items()
    ):
        raise ValidationError(
            {"identifiers": [_("Identifiers are names (up to 60 characters) with text values.")]}
        )
    if len(identifiers) > 20:
        raise ValidationError({"identifiers": [_("At most 20 identifiers.")]})
    return {k.strip(): v.strip() for k, v in identifiers.items()}


def _check_status(status: str, reason: str) -> None:
    _check_choice(status, PartyStatus, "status", _("Not a party status."))
    if status != PartyStatus.PENDING and not reason.strip():
        raise ValidationError({"status_reason": [_("Say why the party has this status.")]})


@transaction.atomic
def party_create(
    *,
    kind: str,
    name: str,
    country: str,
    created_by: User,
    identifiers: dict | None = None,
    address: str = "",
    status: str = PartyStatus.PENDING,
    status_reason: str = "",
    status_source: str = "",
) -> Party:
    """Add a party to the register (officers, administrators)."""
    require(created_by, Action.MANAGE_OVERSIGHT)
    _check_choice(kind, PartyKind, "kind", _("Not a kind of party."))
    _check_given(name, "name", _("Give the party's name."))
    _check_status(status, status_reason)
    party = Party(
        kind=kind,
        name=name.strip(),
        country=_check_country(country, "country"),
        identifiers=_check_identifiers(identifiers or {}),
        address=address.strip(),
        status=status,
        status_reason=status_reason.strip(),
        status_source=status_source.strip(),
        status_changed_by=created_by,
        status_changed_at=timezone.now(),
    )
    return history_save(party, by=created_by)


@transaction.atomic
def party_update(
    *,
    party: Party,
    changed_by: User,
    name: str | None = None,
    country: str | None = None,
    identifiers: dict | None = None,
    address: str | None = None,
    status: str | None = None,
    status_reason: str | None = None,
    status_source: str | None = None,
) -> Party:
    """Change a party's details or status (with reason and source). Every change is kept in the
    party's history. A suspended or denied party can no longer appear on a new transfer, nor be
    dispatched to on one not yet dispatched."""
    require(changed_by, Action.MANAGE_OVERSIGHT)
    party = Party.objects.select_for_update().get(pk=party.pk)
    if name is not None:
        _check_given(name, "name", _("Give the party's name."))
        party.name = name.strip()
    if country is not None:
        party.country = _check_country(country, "country")
    if identifiers is not None:
        party.identifiers = _check_identifiers(identifiers)
    if address is not None:
        party.address = address.strip()
    if status is not None and status != party.status:
        reason = (status_reason or "").strip()
        _check_status(status, reason or ("-" if status == PartyStatus.PENDING else ""))
        party.status = status
        party.status_reason = reason
        party.status_source = (status_source or "").strip()
        party.status_changed_by = changed_by
        party.status_changed_at = timezone.now()
    elif status_reason is not None or status_source is not None:
        if status_reason is not None:
            party.status_reason = status_reason.strip()
        if status_source is not None:
            party.status_source = status_source.strip()
        _check_status(party.status, party.status_reason)
    return history_save(party, by=changed_by)


@transaction.atomic
def party_document_add(
    *,
    party: Party,
    kind: str,
    number: str,
    issuer: str,
    valid_from: date,
    valid_until: date,
    recorded_by: User,
) -> PartyDocument:
    """Record an end-user certificate, assurance, contract or licence of a party."""
    require(recorded_by, Action.MANAGE_OVERSIGHT)
    _check_choice(kind, PartyDocumentKind, "kind", _("Not a kind of document."))
    _check_given(number, "number", _("Give the document's number."))
    _check_given(issuer, "issuer", _("Say who issued the document."))
    if valid_until < valid_from:
        raise ValidationError({"valid_until": [_("A document cannot end before it starts.")]})
    document = PartyDocument(
        party=party,
        kind=kind,
        number=number.strip(),
        issuer=issuer.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=recorded_by,
    )
    return history_save(document, by=recorded_by)


@transaction.atomic
def party_document_authenticate(
    *, document: PartyDocument, result: str, method: str, authenticated_by: User
) -> PartyDocument:
    """Record who checked that a document is genuine, how, and the result."""
    require(authenticated_by, Action.MANAGE_OVERSIGHT)
    if result not in AuthenticationResult.values or result == AuthenticationResult.UNCHECKED:
        raise ValidationError({"result": [_("Authentic, not authentic or inconclusive.")]})
    _check_given(method, "method", _("Say how the document was checked."))
    document = PartyDocument.objects.select_for_update().get(pk=document.pk)
    document.authentication_result = result
    document.authentication_method = method.strip()
    document.authenticated_by = authenticated_by
    document.authenticated_at = timezone.now()
    return history_save(document, by=authenticated_by)
