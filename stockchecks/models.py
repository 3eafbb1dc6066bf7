"""Stock checks (DESIGN.md §7, IATG 03.10); the incidents they open are inventory's
(inventory.models.incidents).

A stock check snapshots the book of its lines when counting starts, takes blind counts (recounts
kept as history, the latest wins), and on approval by a second person posts the variances as
adjustment documents through inventory.services.posting. The database keeps the two-person rule:
a CHECK (approver is neither planner nor submitter) and a trigger (approver counted nothing).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import Numbered, user_fk
from inventory.models.ledger import AdjustmentReason, LotInStorehouse


class StockCheckKind(models.TextChoices):
    # xgettext:no-python-format
    FULL = "full", _("100 % check")
    SAMPLE = "sample", _("random sample check")


class StockCheckStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    COUNTING = "counting", _("counting")
    SUBMITTED = "submitted", _("submitted for approval")
    APPROVED = "approved", _("approved")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATUSES = (StockCheckStatus.PLANNED, StockCheckStatus.COUNTING, StockCheckStatus.SUBMITTED)


class StockCheck(Numbered):
    """A planned count of a depot (or one storehouse), complete or a random sample."""

    number_prefix = "SC"

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    storehouse = models.ForeignKey(
        "inventory.Storehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Count one storehouse only; empty counts the whole depot."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StockCheckKind.choices)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    seed = models.BigIntegerField(
        _("selection seed"),
        null=True,
        blank=True,
        help_text=_(
            "The random sample is drawn with this seed: the same book gives the same lines."
        ),
    )
    population = models.PositiveIntegerField(
        _("lines on the book at the start"), null=True, blank=True
    )
    freeze_depot = models.BooleanField(
        _("freeze the depot"),
        default=False,
        # xgettext:no-python-format
        help_text=_("Refuse every posting in the depot while the check is open (100 % checks)."),
    )
    frozen = models.BooleanField(default=False, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=StockCheckStatus.choices, default="planned"
    )
    note = models.TextField(_("note"), blank=True)
    planned_by = user_fk()
    planned_at = models.DateTimeField()
    started_by = user_fk(optional=True)
    started_at = models.DateTimeField(null=True, blank=True)
    start_line_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "The depot's last ledger line when counting started: later lines are movements "
            "during the check."
        ),
    )
    submitted_by = user_fk(optional=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = user_fk(optional=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    rejections = models.PositiveIntegerField(default=0)
    rejection_note = models.TextField(blank=True)
    cancelled_by = user_fk(optional=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Accuracy, recorded on approval.
    lines_counted = models.PositiveIntegerField(null=True, blank=True)
    lines_correct = models.PositiveIntegerField(null=True, blank=True)
    units_variance = models.BigIntegerField(null=True, blank=True, help_text=_("Net units."))
    units_variance_abs = models.BigIntegerField(null=True, blank=True)
    neq_variance_kg = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    adjustments = models.ManyToManyField("inventory.Document", blank=True, related_name="+")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["depot", "-id"], name="stockcheck_depot_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | (
                    ~Q(approved_by=F("planned_by"))
                    & (Q(submitted_by__isnull=True) | ~Q(approved_by=F("submitted_by")))
                ),
                name="stockcheck_two_person_rule",
            ),
            models.CheckConstraint(
                condition=Q(kind="full", sample_size__isnull=True)
                | Q(kind="sample", sample_size__gte=1),
                name="stockcheck_sample_size",
            ),
            models.CheckConstraint(
                condition=Q(frozen=False) | Q(freeze_depot=True, kind="full"),
                name="stockcheck_freeze_full_only",
            ),
            # One frozen check per depot: postings read this row to refuse (depot_frozen).
            models.UniqueConstraint(
                fields=["depot"], condition=Q(frozen=True), name="stockcheck_one_freeze_per_depot"
            ),
        ]

    @property
    def accuracy_pct(self):
        if not self.lines_counted:
            return None
        return round(100 * self.lines_correct / self.lines_counted, 1)


class StockCheckLine(LotInStorehouse):
    """One (lot, storehouse) to count: its book at the start, the latest count and the variance."""

    stock_check = models.ForeignKey(StockCheck, on_delete=models.CASCADE, related_name="lines")
    book_at_start = models.BigIntegerField(default=0)
    extra = models.BooleanField(
        _("found, not on the book"), default=False, help_text=_("Added during counting.")
    )
    counted_quantity = models.BigIntegerField(null=True, blank=True)
    movements = models.BigIntegerField(
        default=0, help_text=_("Units posted for this line after the start, up to the last count.")
    )
    counts = models.PositiveIntegerField(default=0)
    reason = models.CharField(
        _("reason"),
        max_length=40,
        choices=AdjustmentReason.choices,
        default=AdjustmentReason.COUNT_VARIANCE,
    )
    note = models.TextField(_("investigation notes"), blank=True)

    class Meta:
        ordering = ["storehouse_id", "lot_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stock_check", "lot", "storehouse"], name="stockcheckline_once"
            ),
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                name="stockcheckline_count_not_negative",
            ),
        ]

    @property
    def expected(self) -> int:
        """What the book says now for the moment of the last count."""
        return self.book_at_start + self.movements

    @property
    def variance(self) -> int | None:
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.expected


class Count(models.Model):
    """One count of one line: recounts are kept, the latest is the line's count."""

    stock_check = models.ForeignKey(StockCheck, on_delete=models.CASCADE, related_name="counts")
    line = models.ForeignKey(StockCheckLine, on_delete=models.CASCADE, related_name="history")
    quantity = models.BigIntegerField()
    movements = models.BigIntegerField(default=0)
    counted_by = user_fk()
    counted_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["stock_check", "counted_by"], name="count_counter")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="count_not_negative")
        ]
