"""Diversion control: the register of parties, outbound transfer cases, pre-transfer risk
assessments, delivery verifications and tracing requests (the "responsibility and accountability
cycle" of the UNIDIR seminar report: pre-transfer risk assessment, monitoring and tracing).

Every register and case change is kept by django-simple-history (and so reaches the audit log).
Only diversion.services writes these models.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Numbered, two_person_rule, user_fk
from inventory.models.ledger import LotInStorehouse


class PartyKind(models.TextChoices):
    MANUFACTURER = "manufacturer", _("manufacturer")
    BROKER = "broker", _("broker")
    AGENT = "agent", _("agent")
    FREIGHT_FORWARDER = "freight_forwarder", _("freight forwarder")
    CARRIER = "carrier", _("carrier")
    VESSEL = "vessel", _("vessel")
    AIRCRAFT = "aircraft", _("aircraft")
    CONSIGNEE = "consignee", _("consignee")
    STATE_END_USER = "state_end_user", _("end user: state agency")
    PRIVATE_END_USER = "private_end_user", _("end user: private")


END_USER_KINDS = frozenset({PartyKind.STATE_END_USER, PartyKind.PRIVATE_END_USER})


class PartyStatus(models.TextChoices):
    PENDING = "pending", _("pending verification")
    VERIFIED = "verified", _("verified")
    SUSPENDED = "suspended", _("suspended")
    DENIED = "denied", _("denied")


# A party in one of these states may not appear on a new transfer, nor on one being dispatched.
BARRED_STATUSES = frozenset({PartyStatus.SUSPENDED, PartyStatus.DENIED})


class Party(models.Model):
    """Anyone in a transfer's chain: maker, broker, agent, forwarder, carrier, vessel, aircraft,
    consignee or end user. Its status is what a transfer checks."""

    kind = models.CharField(_("kind"), max_length=20, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code."))
    identifiers = models.JSONField(
        _("identifiers"),
        default=dict,
        blank=True,
        help_text=_(
            "Name → value: registration number, licence number, IMO number of a vessel, "
            "registration mark of an aircraft ..."
        ),
    )
    address = models.TextField(_("address"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PartyStatus.choices, default=PartyStatus.PENDING
    )
    status_reason = models.TextField(_("reason for the status"), blank=True)
    status_source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the information came from: licensing records, customs, UN panel ..."),
    )
    status_changed_by = user_fk()
    status_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [models.Index(fields=["kind", "status"], name="party_kind_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(status_reason=""), name="party_status_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def barred(self) -> bool:
        return self.status in BARRED_STATUSES


class PartyDocumentKind(models.TextChoices):
    END_USER_CERTIFICATE = "end_user_certificate", _("end-user certificate")
    ASSURANCE = "assurance", _("assurance")
    CONTRACT = "contract", _("contract")
    LICENCE = "licence", _("licence")


class AuthenticationResult(models.TextChoices):
    UNCHECKED = "unchecked", _("not yet checked")
    AUTHENTIC = "authentic", _("authentic")
    NOT_AUTHENTIC = "not_authentic", _("not authentic")
    INCONCLUSIVE = "inconclusive", _("inconclusive")


class PartyDocument(models.Model):
    """An end-user certificate, assurance, contract or licence of a party, with who checked that
    it is genuine, how, and the result."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=24, choices=PartyDocumentKind.choices)
    number = models.CharField(_("number"), max_length=120)
    issuer = models.CharField(_("issuer"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    authentication_result = models.CharField(
        _("authentication"),
        max_length=16,
        choices=AuthenticationResult.choices,
        default=AuthenticationResult.UNCHECKED,
    )
    authentication_method = models.CharField(
        _("how it was checked"),
        max_length=300,
        blank=True,
        help_text=_("E.g. confirmed with the issuing ministry through the embassy."),
    )
    authenticated_by = user_fk(optional=True)
    authenticated_at = models.DateTimeField(null=True, blank=True)
    recorded_by = user_fk()
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["party_id", "-valid_until", "id"]
        verbose_name = _("party document")
        verbose_name_plural = _("party documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="party_document_validity_order",
            ),
            models.CheckConstraint(
                condition=Q(authentication_result="unchecked") | Q(authenticated_by__isnull=False),
                name="party_document_checked_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_until


class TransferPurpose(models.TextChoices):
    EXPORT = "export", _("export to another state or agency")
    SALE = "sale", _("sale")
    GIFT = "gift", _("gift")
    OTHER = "transfer", _("other transfer")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("awaiting dispatch")
    DISPATCHED = "dispatched", _("dispatched")
    CANCELLED = "cancelled", _("cancelled")


class TransferCase(Numbered):
    """An outbound transfer: what leaves which depot, for whom, through whom and by which route.

    Dispatched by a clerk of the depot as an issue to the consignee's recipient, once an approved,
    unexpired risk assessment of this case exists (diversion.services.transfer_case_dispatch)."""

    number_prefix = "TC"

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=10, choices=TransferPurpose.choices)
    reference = models.CharField(_("external reference"), max_length=120, blank=True)
    consignee = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    end_user = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    end_user_certificate = models.ForeignKey(
        PartyDocument, on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        "inventory.Recipient",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The recipient the dispatch is issued to (the consignee in the register)."),
    )
    destination_country = models.CharField(_("destination country"), max_length=2)
    transit_states = models.JSONField(_("transit states"), default=list, blank=True)
    route = models.TextField(_("route"), blank=True)
    transport = models.CharField(_("transport"), max_length=300, blank=True)
    port_of_exit = models.CharField(_("port of exit"), max_length=200, blank=True)
    disposal_plan_reference = models.CharField(
        _("disposal plan"),
        max_length=60,
        blank=True,
        help_text=_("The disposal plan (sale, gift, transfer) this case carries out, if any."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    created_by = user_fk()
    created_at = models.DateTimeField(auto_now_add=True)
    dispatch_document = models.OneToOneField(
        "inventory.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_case",
    )
    dispatched_by = user_fk(optional=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-id"]
        verbose_name = _("transfer case")
        verbose_name_plural = _("transfer cases")
        indexes = [models.Index(fields=["depot", "status", "-id"], name="case_depot_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dispatched") | Q(dispatch_document__isnull=False),
                name="case_dispatched_has_document",
            )
        ]


class CaseLine(LotInStorehouse):
    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="lines")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["lot"], name="case_line_lot")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="case_line_quantity"),
            models.UniqueConstraint(fields=["case", "lot", "storehouse"], name="case_line_once"),
        ]


class CaseParty(models.Model):
    """A party in the case's chain (broker, forwarder, carrier ...), in the role it plays."""

    case = models.ForeignKey(TransferCase, on_delete=models.CASCADE, related_name="chain")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="cases")
    role = models.CharField(_("role"), max_length=20, choices=PartyKind.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party", "role"], name="case_party_once")
        ]


class ChecklistVersion(models.Model):
    """A version of the pre-transfer risk assessment checklist. Policy: administrators add a new
    version (with its items) rather than change one that assessments already answered."""

    version = models.PositiveIntegerField(unique=True)
    effective_from = models.DateField()
    source = models.CharField(max_length=300)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("risk assessment checklist")
        verbose_name_plural = _("risk assessment checklists")

    def __str__(self) -> str:
        return f"Checklist v{self.version} (from {self.effective_from})"


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="items")
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField()
    question = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["checklist_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="checklist_item_code")
        ]

    def __str__(self) -> str:
        return self.question


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    WITHDRAWN = "withdrawn", _("withdrawn")


class RiskAssessment(Numbered):
    """A pre-transfer risk assessment of one case against one checklist version.

    Overall risk = the highest item risk (docs/diversion.md). Approved by an officer other than
    its author; an item rated high needs an override recorded by an officer other than the author
    before approval. An approval expires."""

    number_prefix = "RA"

    case = models.ForeignKey(TransferCase, on_delete=models.PROTECT, related_name="assessments")
    checklist = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    conclusion = models.TextField(_("conclusion"), blank=True)
    author = user_fk()
    created_at = models.DateTimeField(auto_now_add=True)
    override_by = user_fk(optional=True)
    override_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    approved_by = user_fk(optional=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(_("approval expires on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        constraints = [
            two_person_rule(
                approver="approved_by", author="author", name="assessment_two_person_rule"
            ),
            two_person_rule(
                approver="override_by", author="author", name="assessment_override_second_officer"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_by__isnull=False) & Q(expires_on__isnull=False)),
                name="assessment_approved_fields",
            ),
        ]


class RiskAnswer(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    risk = models.CharField(_("risk"), max_length=6, choices=RiskLevel.choices)
    evidence = models.TextField(_("evidence"))
    sources = models.TextField(_("sources"), blank=True)
    answered_by = user_fk()
    answered_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="risk_answer_once")
        ]


class VerificationKind(models.TextChoices):
    PRE_DELIVERY = "pre_delivery", _("pre-delivery check at the port of exit")
    DELIVERY_CERTIFICATE = "delivery_certificate", _("delivery verification certificate received")
    PHYSICAL_INSPECTION = "physical_inspection", _("physical inspection")
    END_USE_CHECK = "end_use_check", _("end-use check")
    STOCKPILE_CHECK = "stockpile_check", _("stockpile check at the end user")


class VerificationResult(models.TextChoices):
    PENDING = "pending", _("pending")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled: the dispatch was reversed")


class Verification(models.Model):
    """A scheduled pre- or post-delivery check of a case. Overdue while pending past its due date
    (an alert); a failed one opens an incident; cancelled, naming the reversal, when the case's
    dispatch is reversed."""

    case = models.ForeignKey(TransferCase, on_delete=models.PROTECT, related_name="verifications")
    kind = models.CharField(_("kind"), max_length=24, choices=VerificationKind.choices)
    due_on = models.DateField(_("due on"))
    result = models.CharField(
        _("result"),
        max_length=10,
        choices=VerificationResult.choices,
        default=VerificationResult.PENDING,
    )
    performed_on = models.DateField(_("performed on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    recorded_by = user_fk(optional=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    incident = models.ForeignKey(
        "inventory.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The reversal of the case's dispatch that cancelled this check (result "cancelled").
    cancelled_by_reversal = models.ForeignKey(
        "inventory.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(result="pending"), name="verification_pending_due"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="pending")
                | (Q(performed_on__isnull=False) & Q(recorded_by__isnull=False) & ~Q(evidence=""))
                | (Q(result="cancelled") & Q(cancelled_by_reversal__isnull=False)),
                name="verification_result_recorded",
            ),
            models.CheckConstraint(
                condition=Q(result="cancelled") | Q(cancelled_by_reversal__isnull=True),
                name="verification_cancelled_by_reversal",
            ),
            models.CheckConstraint(
                condition=~Q(result="failed") | Q(incident__isnull=False),
                name="verification_failed_has_incident",
            ),
        ]


class FoundContext(models.TextChoices):
    SEIZURE = "seizure", _("seizure")
    CRIME_SCENE = "crime_scene", _("crime scene")
    CONFLICT_AREA = "conflict_area", _("conflict area")
    OTHER = "other", _("other")


class TracingRequest(Numbered):
    """Ammunition found outside control: what was marked on it, where and when, who asks. The
    candidate lots and their last accountable holders are found when it is recorded and kept
    (`candidates`), with the answer given."""

    number_prefix = "TR"

    reference = models.CharField(_("requester's reference"), max_length=120)
    requesting_authority = models.CharField(_("requesting authority"), max_length=200)
    context = models.CharField(_("found at"), max_length=16, choices=FoundContext.choices)
    lot_marking = models.CharField(_("lot marking as read"), max_length=80)
    description = models.TextField(_("description of the items"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity found"))
    place = models.CharField(_("place"), max_length=300)
    found_on = models.DateField(_("found on"))
    candidates = models.JSONField(default=list)
    recorded_by = user_fk()
    recorded_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = user_fk(optional=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("tracing request")
        verbose_name_plural = _("tracing requests")


class TrainingAllocation(models.Model):
    """How much of an ammunition type a recipient unit may consume for training in a calendar
    year, as approved (the reference). Set again to change it: the history keeps every earlier
    figure. The recipient profile sets consumption against it, pro-rated to the period."""

    recipient = models.ForeignKey(
        "inventory.Recipient", on_delete=models.PROTECT, related_name="training_allocations"
    )
    ammunition_type = models.ForeignKey(
        "inventory.AmmunitionType", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quantity = models.PositiveIntegerField(_("quantity allocated"))
    approval_reference = models.CharField(_("approval reference"), max_length=120)
    set_by = user_fk()
    set_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "recipient_id", "ammunition_type_id"]
        verbose_name = _("training allocation")
        verbose_name_plural = _("training allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "ammunition_type", "year"], name="training_allocation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.ammunition_type_id} → {self.recipient_id}: {self.quantity}"
