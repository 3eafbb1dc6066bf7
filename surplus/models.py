"""Surplus against national requirements (DESIGN.md §9): requirements, snapshots, disposal.

A national requirement is set per ammunition type or per group of interchangeable types. Each
setting is a new, numbered version of the subject's requirement with the date it takes effect:
rows are never changed or deleted (a trigger refuses it), so the history is the table itself.

Surplus is computed on demand by surplus.computation; snapshots keep its answer per day so that
trends read stored rows. Disposal plans name lots held in one depot; an execution posts one
disposal document (inventory.services.posting.disposal_post) and is the destruction certificate.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import CodeNamed, Numbered, RunStatus, two_person_rule, user_fk
from inventory.models.ledger import LotInStorehouse


class InterchangeableGroup(CodeNamed):
    """Ammunition types that stand in for one another (e.g. two makes of 7.62 x 39 mm ball):
    their requirement, training consumption and surplus are one."""

    types = models.ManyToManyField(
        "inventory.AmmunitionType", through="GroupMember", related_name="+"
    )
    history = HistoricalRecords()

    class Meta(CodeNamed.Meta):
        verbose_name = _("group of interchangeable types")
        verbose_name_plural = _("groups of interchangeable types")


class GroupMember(models.Model):
    """A type belongs to at most one group."""

    group = models.ForeignKey(InterchangeableGroup, on_delete=models.PROTECT, related_name="+")
    ammunition_type = models.OneToOneField(
        "inventory.AmmunitionType", on_delete=models.PROTECT, related_name="surplus_group"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "ammunition_type"]


class Requirement(models.Model):
    """One version of the national requirement of a type or a group, in force from
    `effective_from` until a later version takes effect. Append-only."""

    ammunition_type = models.ForeignKey(
        "inventory.AmmunitionType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
    )
    group = models.ForeignKey(
        InterchangeableGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
    )
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    operational = models.PositiveBigIntegerField(_("operational stock (war reserve)"))
    training_per_year = models.PositiveBigIntegerField(_("training consumption per year"))
    training_years = models.PositiveSmallIntegerField(_("years of training cover"))
    testing = models.PositiveBigIntegerField(_("testing"))
    contingency = models.PositiveBigIntegerField(_("contingency"))
    approval_reference = models.CharField(_("approval reference"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    set_by = user_fk()
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("national requirement")
        verbose_name_plural = _("national requirements")
        indexes = [
            models.Index(fields=["ammunition_type", "-effective_from"], name="requirement_type"),
            models.Index(fields=["group", "-effective_from"], name="requirement_group"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ammunition_type__isnull=True, group__isnull=False)
                | Q(ammunition_type__isnull=False, group__isnull=True),
                name="requirement_one_subject",
            ),
            models.UniqueConstraint(
                fields=["ammunition_type", "version"], name="requirement_type_version"
            ),
            models.UniqueConstraint(fields=["group", "version"], name="requirement_group_version"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} v{self.version} from {self.effective_from}"

    @property
    def total(self) -> int:
        return (
            self.operational
            + self.training_per_year * self.training_years
            + self.testing
            + self.contingency
        )

    @property
    def subject_label(self) -> str:
        subject = self.ammunition_type if self.ammunition_type_id else self.group
        return subject.code if subject is not None else ""


# Queued, running, done or failed: the life a report run has too.
SnapshotStatus = RunStatus


class SurplusSnapshot(models.Model):
    """The surplus as computed on one day, kept for trends (nightly, or on an officer's demand)."""

    taken_on = models.DateField(_("as of"))
    status = models.CharField(
        _("status"), max_length=8, choices=SnapshotStatus.choices, default=SnapshotStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = user_fk(optional=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    policy = models.JSONField(_("policy applied"), default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        indexes = [models.Index(fields=["status", "-taken_on"], name="snapshot_recent")]

    def __str__(self) -> str:
        return f"Surplus snapshot {self.taken_on} ({self.status})"


class SnapshotRow(models.Model):
    """One subject's surplus in one depot (or nationally, `depot` null) in a snapshot."""

    snapshot = models.ForeignKey(SurplusSnapshot, on_delete=models.CASCADE, related_name="rows")
    depot = models.ForeignKey(
        "inventory.Depot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ammunition_type = models.ForeignKey(
        "inventory.AmmunitionType", on_delete=models.PROTECT, null=True, related_name="+"
    )
    group = models.ForeignKey(
        InterchangeableGroup, on_delete=models.PROTECT, null=True, related_name="+"
    )
    category = models.CharField(max_length=20)
    # Null: no requirement stated, the usable stock not assessed (DESIGN.md §9).
    requirement = models.BigIntegerField(null=True)
    serviceable = models.BigIntegerField()
    suspended = models.BigIntegerField()
    in_transit = models.BigIntegerField()
    unserviceable = models.BigIntegerField()
    expiring_before_use = models.BigIntegerField()
    obsolete_or_banned = models.BigIntegerField()
    banned = models.BigIntegerField(default=0)
    usable = models.BigIntegerField()
    excess = models.BigIntegerField()
    surplus = models.BigIntegerField()
    holdings_neq_kg = models.DecimalField(max_digits=20, decimal_places=3)
    surplus_neq_kg = models.DecimalField(max_digits=20, decimal_places=3)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["snapshot", "depot"], name="snapshot_row_depot")]


class DisposalMethod(models.TextChoices):
    SALE = "sale", _("sale")
    GIFT = "gift", _("gift")
    TRANSFER = "transfer", _("transfer to another state")
    TRAINING_USE = "training_use", _("training use")
    OPEN_BURNING = "open_burning", _("open burning")
    OPEN_DETONATION = "open_detonation", _("open detonation")
    INDUSTRIAL_DEMILITARISATION = "industrial_demilitarisation", _("industrial demilitarisation")


# Logistic disposal to another state or party goes through the diversion-control transfer
# cases and the pre-transfer risk assessment: such plans are drafted and approved here only.
TRANSFER_METHODS = frozenset({DisposalMethod.SALE, DisposalMethod.GIFT, DisposalMethod.TRANSFER})
DESTRUCTION_METHODS = frozenset(
    {
        DisposalMethod.OPEN_BURNING,
        DisposalMethod.OPEN_DETONATION,
        DisposalMethod.INDUSTRIAL_DEMILITARISATION,
    }
)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    CLOSED = "closed", _("closed")


class DisposalPlan(Numbered):
    """Surplus or unserviceable lots of one depot to be disposed of by one method at one site."""

    number_prefix = "DP"

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=28, choices=DisposalMethod.choices)
    site = models.CharField(_("site"), max_length=200)
    scheduled_from = models.DateField(_("scheduled from"))
    scheduled_until = models.DateField(_("scheduled until"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = user_fk()
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = user_fk(optional=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_reference = models.CharField(_("approval reference"), max_length=120, blank=True)
    closed_by = user_fk(optional=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("disposal plan")
        verbose_name_plural = _("disposal plans")
        indexes = [models.Index(fields=["depot", "status"], name="plan_depot_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_until__gte=F("scheduled_from")), name="plan_schedule_order"
            ),
            two_person_rule(
                approver="approved_by", author="created_by", name="plan_two_person_rule"
            ),
        ]

    @property
    def is_transfer(self) -> bool:
        return self.method in TRANSFER_METHODS


class DisposalPlanLine(LotInStorehouse):
    """A quantity of a lot in a storehouse of the plan's depot, to be disposed of."""

    plan = models.ForeignKey(DisposalPlan, on_delete=models.PROTECT, related_name="lines")
    quantity = models.PositiveBigIntegerField(_("quantity"))
    executed = models.PositiveBigIntegerField(_("executed"), default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "lot", "storehouse"], name="plan_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="plan_line_positive"),
            models.CheckConstraint(
                condition=Q(executed__lte=F("quantity")), name="plan_line_not_overexecuted"
            ),
        ]

    @property
    def remaining(self) -> int:
        return self.quantity - self.executed


class DisposalExecution(models.Model):
    """What was disposed of on one day under a plan: one posted disposal document, and the
    destruction (or training-use) certificate with its witnesses."""

    plan = models.ForeignKey(DisposalPlan, on_delete=models.PROTECT, related_name="executions")
    document = models.OneToOneField(
        "inventory.Document", on_delete=models.PROTECT, related_name="disposal_execution"
    )
    executed_on = models.DateField(_("executed on"))
    executed_by = user_fk()
    witnesses = models.JSONField(_("witnesses"), help_text=_("A list of {name, position} objects."))
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    @property
    def certificate_number(self) -> str:
        return f"DC-{self.pk:05d}"


class DisposalExecutionLine(models.Model):
    execution = models.ForeignKey(DisposalExecution, on_delete=models.PROTECT, related_name="lines")
    plan_line = models.ForeignKey(DisposalPlanLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="execution_line_positive")
        ]
