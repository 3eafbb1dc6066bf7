"""The register of parties, transfer cases (built by officers, dispatched by clerks), risk
assessments and verifications."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.redirects import next_url
from core.roles import Action
from core.scoping import can, scope
from core.web import Refusal, filtered_list, show_refusal
from diversion import forms, selectors, services
from diversion.filters import PartyFilter, TransferCaseFilter, VerificationFilter
from diversion.models import (
    AssessmentStatus,
    CaseStatus,
    ChecklistItem,
    PartyDocument,
    Verification,
    VerificationResult,
)
from diversion.views.common import manages
from inventory.models import Document, Storehouse

# --- Parties -------------------------------------------------------------------------------------


@require_GET
def party_list_view(request):
    rows = selectors.party_list(user=request.user).order_by("name", "id")
    context = {"may_manage": manages(request.user)}
    return filtered_list(request, PartyFilter, rows, "diversion/party_list.html", context)


@require_http_methods(["GET", "POST"])
def party_new_view(request):
    if not manages(request.user):
        raise PermissionDenied
    form = forms.PartyForm(request.POST or None, initial={"status": "pending"})
    if request.method == "POST" and form.is_valid():
        with Refusal(form) as refused:
            party = services.party_create(**form.cleaned_data, created_by=request.user)
        if not refused:
            messages.success(request, _("%(name)s added to the register.") % {"name": party.name})
            return redirect("diversion:party_detail", party.pk)
    return render(request, "diversion/party_form.html", {"form": form})


# The party page's forms that record something, by the name each posts as `form`, and what the
# page says once it is recorded.
_PARTY_FORMS = {
    "status": (forms.PartyStatusForm, gettext_lazy("Status recorded.")),
    "details": (forms.PartyDetailsForm, gettext_lazy("Details recorded.")),
    "document": (forms.PartyDocumentForm, gettext_lazy("Document recorded.")),
}


@require_http_methods(["GET", "POST"])
def party_detail_view(request, pk):
    party = get_object_or_404(selectors.party_list(user=request.user), pk=pk)
    may_manage = manages(request.user)
    details = {name: getattr(party, name) for name in ("name", "country", "identifiers", "address")}
    page_forms = {
        "status": forms.PartyStatusForm(initial={"status": party.status}),
        "details": forms.PartyDetailsForm(initial=details),
        "document": forms.PartyDocumentForm(),
    }
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        what = request.POST.get("form")
        with Refusal() as refused:
            if what in page_forms:
                form_class, recorded = _PARTY_FORMS[what]
                form = page_forms[what] = form_class(request.POST)
                if form.is_valid():
                    if what == "document":
                        services.party_document_add(
                            party=party, recorded_by=request.user, **form.cleaned_data
                        )
                    else:
                        services.party_update(
                            party=party, changed_by=request.user, **form.cleaned_data
                        )
                    messages.success(request, recorded)
                    return redirect("diversion:party_detail", party.pk)
            elif what == "authenticate":
                document = get_object_or_404(
                    PartyDocument, pk=request.POST.get("document", "0"), party=party
                )
                auth_form = forms.AuthenticateForm(request.POST)
                if auth_form.is_valid():
                    services.party_document_authenticate(
                        document=document, authenticated_by=request.user,
                        **auth_form.cleaned_data,
                    )  # fmt: skip
                    messages.success(request, _("Authentication recorded."))
                    return redirect("diversion:party_detail", party.pk)
                messages.error(request, _("Choose a result and say how it was checked."))
        if refused:
            show_refusal(page_forms.get(what, page_forms["status"]), refused.exc)
    context = {
        "party": party,
        "documents": party.documents.select_related("authenticated_by").order_by(
            "-valid_until", "id"
        ),
        "history": selectors.history_of(party),
        "may_manage": may_manage,
        "status_form": page_forms["status"],
        "details_form": page_forms["details"],
        "document_form": page_forms["document"],
        "auth_form": forms.AuthenticateForm(),
        "today": timezone.localdate(),
    }
    return render(request, "diversion/party_detail.html", context)


# --- Transfer cases ------------------------------------------------------------------------------


@require_GET
def case_list_view(request):
    rows = selectors.transfer_case_list(user=request.user).order_by("-id")
    context = {
        "may_manage": manages(request.user),
        "reads_register": selectors.reads_register(request.user),
    }
    return filtered_list(request, TransferCaseFilter, rows, "diversion/case_list.html", context)


def _storehouses(user):
    return scope(Storehouse.objects.select_related("depot"), user).order_by("depot__code", "code")


@require_http_methods(["GET", "POST"])
def case_new_view(request):
    user = request.user
    if not manages(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = forms.CaseForm(data, user=user)
    lines = forms.line_formset(data, storehouses=_storehouses(user))
    if data is not None and form.is_valid() and lines.is_valid():
        # The form's fields are the service's keywords; each party of the chain goes with its kind.
        values = dict(form.cleaned_data)
        values["chain"] = [(party, party.kind) for party in values["chain"]]
        with Refusal(form) as refused:
            case = services.transfer_case_create(
                **values,
                lines=[
                    services.CaseLineInput(
                        row.cleaned_data["lot"],
                        row.cleaned_data["storehouse"],
                        row.cleaned_data["quantity"],
                    )
                    for row in lines
                    if row.cleaned_data.get("lot")
                ],
                created_by=user,
            )
        if not refused:
            messages.success(request, _("Transfer case %(number)s opened.") % {"number": case})
            return redirect("diversion:case_detail", case.pk)
    return render(request, "diversion/case_form.html", {"form": form, "lines": lines})


def _case_or_404(request, pk):
    return get_object_or_404(selectors.transfer_case_detail(user=request.user), pk=pk)


@require_GET
def case_detail_view(request, pk):
    case = _case_or_404(request, pk)
    user = request.user
    register = selectors.reads_register(user)
    today = timezone.localdate()
    in_force = selectors.assessment_in_force(case=case, on=today)
    reversal = (
        Document.objects.filter(reverses_id=case.dispatch_document_id).first()
        if case.dispatch_document_id
        else None
    )
    context = {
        "case": case,
        "dispatch_reversal": reversal,
        # A reversed dispatch whose checks are still pending: officers or the depot's clerks
        # cancel them (diversion.services.transfer_case_dispatch_reversed).
        "checks_to_cancel": reversal is not None
        and (manages(user) or can(user, Action.RECORD_MOVEMENT, case.depot_id))
        and case.verifications.filter(result=VerificationResult.PENDING).exists(),
        "reads_register": register,
        "may_manage": manages(user),
        "may_dispatch": case.status == CaseStatus.DRAFT
        and can(user, Action.RECORD_MOVEMENT, case.depot_id),
        "in_force": in_force,
        "assessments": (
            selectors.risk_assessment_list(user=user).filter(case=case).order_by("-id")
            if register
            else []
        ),
        "verifications": (
            case.verifications.select_related("incident").order_by("due_on", "id")
            if register
            else []
        ),
        "dispatch_form": forms.DispatchForm(),
        "schedule_form": forms.VerificationScheduleForm(),
        "today": today,
    }
    return render(request, "diversion/case_detail.html", context)


@require_POST
def case_dispatch_view(request, pk):
    case = _case_or_404(request, pk)
    form = forms.DispatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the dispatch date."))
        return redirect("diversion:case_detail", case.pk)
    with Refusal() as refused:
        document = services.transfer_case_dispatch(
            case=case, occurred_on=form.cleaned_data["occurred_on"], dispatched_by=request.user
        )
    if refused:
        messages.error(request, _("Not dispatched: %(why)s") % {"why": refused.text})
    else:
        messages.success(
            request,
            _("Dispatched: issue %(number)s posted.") % {"number": document.number},
        )
    return redirect("diversion:case_detail", case.pk)


@require_POST
def case_action_view(request, pk, name):
    """Officers: cancel the case, start an assessment, schedule a check; officers or the depot's
    clerks: cancel the pending checks of a dispatch that was reversed."""
    case = _case_or_404(request, pk)
    with Refusal(request=request):
        if name == "cancel":
            services.transfer_case_cancel(case=case, cancelled_by=request.user)
            messages.success(request, _("Case cancelled."))
        elif name == "assess":
            assessment = services.risk_assessment_create(case=case, author=request.user)
            return redirect("diversion:assessment_detail", assessment.pk)
        elif name == "reversed":
            cancelled = services.transfer_case_dispatch_reversed(case=case, user=request.user)
            messages.success(
                request,
                _("Dispatch reversed: %(n)s pending checks cancelled.") % {"n": len(cancelled)},
            )
        elif name == "schedule":
            form = forms.VerificationScheduleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose the check and its due date."))
            else:
                services.verification_schedule(
                    case=case, scheduled_by=request.user, **form.cleaned_data
                )
                messages.success(request, _("Check scheduled."))
        else:
            raise PermissionDenied
    return redirect("diversion:case_detail", case.pk)


# --- Risk assessments ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assessment_detail_view(request, pk):
    assessment = get_object_or_404(selectors.risk_assessment_list(user=request.user), pk=pk)
    user = request.user
    is_author = assessment.author_id == user.pk
    draft = assessment.status == AssessmentStatus.DRAFT
    errors: dict[int, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        with Refusal(request=request):
            if action == "answer":
                item = get_object_or_404(
                    ChecklistItem, pk=request.POST.get("item", "0"),
                    checklist_id=assessment.checklist_id,
                )  # fmt: skip
                form = forms.AnswerForm(request.POST, prefix=f"item-{item.pk}")
                if form.is_valid():
                    services.risk_answer_set(
                        assessment=assessment, item=item, answered_by=user, **form.cleaned_data
                    )
                    return redirect(f"{request.path}#item-{item.pk}")
                errors[item.pk] = _("Choose a risk level and give the evidence.")
            elif action == "conclusion":
                services.risk_assessment_conclude(
                    assessment=assessment, conclusion=request.POST.get("conclusion", ""),
                    user=user,
                )  # fmt: skip
                return redirect("diversion:assessment_detail", assessment.pk)
            elif action == "override":
                services.risk_assessment_override(
                    assessment=assessment, reason=request.POST.get("reason", ""),
                    override_by=user,
                )  # fmt: skip
                messages.success(request, _("Override recorded."))
                return redirect("diversion:assessment_detail", assessment.pk)
            elif action == "approve":
                services.risk_assessment_approve(assessment=assessment, approved_by=user)
                messages.success(request, _("Assessment approved."))
                return redirect("diversion:assessment_detail", assessment.pk)
            elif action == "withdraw":
                services.risk_assessment_withdraw(assessment=assessment, user=user)
                messages.success(request, _("Assessment withdrawn."))
                return redirect("diversion:assessment_detail", assessment.pk)
            else:
                raise PermissionDenied
    rows = selectors.risk_assessment_answers(assessment=assessment)
    for row in rows:
        answer = row["answer"]
        row["form"] = forms.AnswerForm(
            prefix=f"item-{row['item'].pk}",
            initial={
                "risk": answer.risk if answer else "low",
                "evidence": answer.evidence if answer else "",
                "sources": answer.sources if answer else "",
            },
        )
        row["error"] = errors.get(row["item"].pk)
    may_manage = manages(user)
    context = {
        "assessment": assessment,
        "case": assessment.case,
        "rows": rows,
        "overall": selectors.overall_risk_of(assessment),
        "may_answer": draft and is_author and may_manage,
        "may_decide": draft and not is_author and may_manage,
        "may_withdraw": assessment.status != AssessmentStatus.WITHDRAWN and may_manage,
        "today": timezone.localdate(),
    }
    return render(request, "diversion/assessment_detail.html", context)


# --- Verifications -------------------------------------------------------------------------------


@require_GET
def verification_list_view(request):
    rows = selectors.verification_list(user=request.user).order_by("due_on", "id")
    context = {
        "may_manage": manages(request.user),
        "record_form": forms.VerificationRecordForm(),
        "today": timezone.localdate(),
    }
    return filtered_list(
        request, VerificationFilter, rows, "diversion/verification_list.html", context
    )


@require_POST
def verification_record_view(request, pk):
    verification = get_object_or_404(
        Verification.objects.filter(pk__in=selectors.verification_list(user=request.user)), pk=pk
    )
    back = next_url(request, "diversion:verification_list")
    form = forms.VerificationRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the result, the date and the evidence."))
    else:
        with Refusal(request=request) as refused:
            recorded = services.verification_record(
                verification=verification, recorded_by=request.user, **form.cleaned_data
            )
        if not refused:
            if recorded.incident_id:
                messages.warning(
                    request,
                    _("Check failed: incident %(number)s opened.")
                    % {"number": recorded.incident.number},
                )
            else:
                messages.success(request, _("Result recorded."))
    return redirect(back)
