"""Transfer cases and their dispatch: the parties of a case are checked, then the dispatch posts
an issue to the consignee through inventory.services.posting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.history import history_save
from core.roles import Action
from core.scoping import require
from diversion import selectors
from diversion.errors import EndUserCertificateInvalid, NoRiskAssessment, PartyNotPermitted
from diversion.models import (
    BARRED_STATUSES,
    END_USER_KINDS,
    AuthenticationResult,
    CaseLine,
    CaseParty,
    CaseStatus,
    Party,
    PartyDocument,
    PartyDocumentKind,
    PartyKind,
    TransferCase,
    TransferPurpose,
    Verification,
)
from diversion.services.common import (
    DEFAULT_VERIFICATION_DAYS,
    _check_choice,
    _check_country,
    _policy_days,
)
from inventory.errors import InvalidState
from inventory.locks import rows_share_lock
from inventory.models import Depot, Document, Lot, Recipient, Storehouse
from inventory.models.reference import RecipientKind
from inventory.policy import policy_values
from inventory.services import posting
from inventory.services.reference import recipient_create
from inventory.services.states import status_require


@dataclass(frozen=True)
class CaseLineInput:
    lot: Lot
    storehouse: Storehouse
    quantity: int


def _barred(parties: Sequence[Party]) -> list[Party]:
    return [party for party in parties if party.status in BARRED_STATUSES]


def _refuse_barred(parties: Sequence[Party]) -> None:
    barred = _barred(parties)
    if barred:
        names = ", ".join(
            f"{party.name} ({party.get_status_display()})" for party in _unique(barred)
        )
        raise PartyNotPermitted(
            _("A suspended or denied party cannot be on a transfer: %(names)s.") % {"names": names},
            parties=sorted({party.pk for party in barred}),
        )


def _unique(parties):
    seen = set()
    return [p for p in parties if not (p.pk in seen or seen.add(p.pk))]


def _share_locked(party_ids) -> list[Party]:
    """The parties of a transfer, share-locked until it commits: a status change (which locks
    the party for update) lands before the check reads it, and is obeyed, or waits for it."""
    return rows_share_lock(Party, party_ids)


def _recipient_for(consignee: Party, created_by: User) -> Recipient:
    """The recipient that dispatches of cases for this consignee are issued to: found by its
    code, else added to the register of recipients (officers may)."""
    code = f"PARTY-{consignee.pk}"
    found = Recipient.objects.filter(code=code).first()
    if found is not None:
        return found
    kind = (
        RecipientKind.PRIVATE_END_USER
        if consignee.kind == PartyKind.PRIVATE_END_USER
        else RecipientKind.FOREIGN_STATE
    )
    return recipient_create(code=code, name=consignee.name[:200], kind=kind, created_by=created_by)


@transaction.atomic
def transfer_case_create(
    *,
    depot: Depot,
    purpose: str,
    consignee: Party,
    end_user: Party,
    end_user_certificate: PartyDocument,
    lines: Sequence[CaseLineInput],
    destination_country: str,
    created_by: User,
    chain: Sequence[tuple[Party, str]] = (),
    transit_states: Sequence[str] = (),
    route: str = "",
    transport: str = "",
    port_of_exit: str = "",
    reference: str = "",
    disposal_plan_reference: str = "",
    recipient: Recipient | None = None,
) -> TransferCase:
    """Open an outbound transfer case: the lots and quantities leaving `depot`, the consignee, the
    end user with its end-user certificate, every other party in the chain with its role, the
    route with its transit states, and the transport. No suspended or denied party may appear
    (409 party_not_permitted). Stock is checked when the case is dispatched."""
    require(created_by, Action.MANAGE_OVERSIGHT, depot.pk)

    _check_choice(purpose, TransferPurpose, "purpose", _("Not a transfer purpose."))
    if consignee.kind not in {PartyKind.CONSIGNEE, *END_USER_KINDS}:
        raise ValidationError({"consignee": [_("The consignee is a consignee or an end user.")]})
    if end_user.kind not in END_USER_KINDS:
        raise ValidationError({"end_user": [_("The end user is a state agency or private.")]})
    if (
        end_user_certificate.party_id != end_user.pk
        or end_user_certificate.kind != PartyDocumentKind.END_USER_CERTIFICATE
    ):
        raise ValidationError(
            {"end_user_certificate": [_("Name an end-user certificate of the end user.")]}
        )
    if not lines:
        raise ValidationError({"lines": [_("A transfer case needs at least one line.")]})
    seen = set()
    for line in lines:
        if line.storehouse.depot_id != depot.pk:
            raise ValidationError({"lines": [_("Every storehouse is one of the case's depot.")]})
        if line.quantity <= 0:
            raise ValidationError({"lines": [_("Quantities are whole units, more than zero.")]})
        key = (line.lot.pk, line.storehouse.pk)
        if key in seen:
            raise ValidationError({"lines": [_("Name each lot in each storehouse once.")]})
        seen.add(key)
    for _party, role in chain:
        if role not in PartyKind.values:
            raise ValidationError({"chain": [_("Not a role of a party.")]})
    states = [_check_country(state, "transit_states") for state in transit_states]
    _refuse_barred(_share_locked({consignee.pk, end_user.pk, *(p.pk for p, _role in chain)}))
    case = TransferCase(
        depot=depot,
        purpose=purpose,
        reference=reference.strip(),
        consignee=consignee,
        end_user=end_user,
        end_user_certificate=end_user_certificate,
        recipient=recipient or _recipient_for(consignee, created_by),
        destination_country=_check_country(destination_country, "destination_country"),
        transit_states=states,
        route=route.strip(),
        transport=transport.strip(),
        port_of_exit=port_of_exit.strip(),
        disposal_plan_reference=disposal_plan_reference.strip(),
        created_by=created_by,
    )
    history_save(case, by=created_by)
    CaseLine.objects.bulk_create(
        CaseLine(case=case, lot=line.lot, storehouse=line.storehouse, quantity=line.quantity)
        for line in lines
    )
    CaseParty.objects.bulk_create(
        CaseParty(case=case, party=party, role=role) for party, role in _unique_roles(chain)
    )
    return case


def _unique_roles(chain):
    seen = set()
    return [
        (party, role)
        for party, role in chain
        if not ((party.pk, role) in seen or seen.add((party.pk, role)))
    ]


def _locked_case(case: TransferCase) -> TransferCase:
    return TransferCase.objects.select_for_update(of=("self",)).get(pk=case.pk)


@transaction.atomic
def transfer_case_cancel(*, case: TransferCase, cancelled_by: User) -> TransferCase:
    """Cancel a case that has not been dispatched (a dispatched one is undone by reversing its
    issue document)."""
    require(cancelled_by, Action.MANAGE_OVERSIGHT, case.depot_id)
    case = _locked_case(case)
    if case.status != CaseStatus.DRAFT:
        raise InvalidState(_("Only a case awaiting dispatch can be cancelled."))
    case.status = CaseStatus.CANCELLED
    return history_save(case, by=cancelled_by, update_fields=["status"])


@transaction.atomic
def transfer_case_dispatch(
    *, case: TransferCase, occurred_on: date, dispatched_by: User
) -> Document:
    """Dispatch a case: post an issue of its lines to the consignee's recipient.

    Refused, having written nothing, unless an approved risk assessment of this case is unexpired
    today (409 no_risk_assessment), no party of the case is suspended or denied (409
    party_not_permitted; the parties are share-locked so a status change waits for the dispatch)
    and the end-user certificate is valid on the dispatch date and not found inauthentic (409
    end_user_certificate_invalid); then the posting service's own checks apply (stock on hand,
    issuable lots, dates). Schedules the pre- and post-delivery verifications."""
    require(dispatched_by, Action.RECORD_MOVEMENT, case.depot_id)
    case = _locked_case(case)
    status_require(case, [CaseStatus.DRAFT], _("Case %(number)s is %(status)s."))
    today = timezone.localdate()
    approved = selectors.assessment_in_force(case=case, on=today)
    if approved is None:
        raise NoRiskAssessment(
            _("No approved, unexpired pre-transfer risk assessment covers case %(number)s.")
            % {"number": case.number}
        )
    party_ids = {case.consignee_id, case.end_user_id}
    party_ids.update(case.chain.values_list("party_id", flat=True))
    parties = _share_locked(party_ids)
    _refuse_barred(parties)
    certificate = PartyDocument.objects.get(pk=case.end_user_certificate_id)
    if not certificate.valid_on(occurred_on):
        raise EndUserCertificateInvalid(
            _("End-user certificate %(number)s is valid from %(start)s to %(end)s.")
            % {
                "number": certificate.number,
                "start": certificate.valid_from,
                "end": certificate.valid_until,
            }
        )
    if certificate.authentication_result == AuthenticationResult.NOT_AUTHENTIC:
        raise EndUserCertificateInvalid(
            _("End-user certificate %(number)s was found not authentic.")
            % {"number": certificate.number}
        )
    consignee = next(party for party in parties if party.pk == case.consignee_id)
    document = posting.issue_post(
        depot=Depot.objects.get(pk=case.depot_id),
        lines=[
            posting.Movement(line.lot_id, line.storehouse_id, line.quantity)
            for line in case.lines.all()
        ],
        recipient=Recipient.objects.get(pk=case.recipient_id),
        occurred_on=occurred_on,
        posted_by=dispatched_by,
        purpose=_("Transfer case %(number)s") % {"number": case.number},
        counterparty=consignee.name[:200],
        reference=case.number,
    )
    case.status = CaseStatus.DISPATCHED
    case.dispatch_document = document
    case.dispatched_by = dispatched_by
    case.dispatched_at = timezone.now()
    history_save(
        case,
        by=dispatched_by,
        update_fields=["status", "dispatch_document", "dispatched_by", "dispatched_at"],
    )
    values = policy_values()
    Verification.objects.bulk_create(
        Verification(
            case=case,
            kind=kind,
            due_on=occurred_on
            + timedelta(days=_policy_days(values, f"verification_{kind}_days", days)),
        )
        for kind, days in DEFAULT_VERIFICATION_DAYS.items()
    )
    return document
