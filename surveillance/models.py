"""Surveillance of lots in storage (DESIGN.md §6, §8; IATG 07.10, 07.20).

Inspections and stability tests are records of what an ammunition technical officer found; they
never change quantities. What they decide about a lot reaches the ledger as a condition-change
document (kind `condition_change`, no lines) described by a ConditionChange row, so the lot's
condition history is complete and attributable. Bans, constraints and shelf-life extensions are
decisions with a reason and a reference; a ban is lifted, never deleted. Bans and constraints
are records of the accounting core, which reads them when it posts (inventory.models.bans).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import user_fk
from inventory.models.reference import condition_fk


class StabilityCategory(models.TextChoices):
    STABLE = "stable", _("stable")
    MONITOR = "monitor", _("monitor")
    # The value stays "restricted" (API clients rely on it); pages say "limited life", so it is
    # never read as the availability "restricted" (issue only to permitted recipients, §6).
    RESTRICTED = "restricted", _("limited life")
    UNSTABLE = "unstable", _("unstable")


class StabilityPolicyBand(models.Model):
    """One row of the stability policy table: a range of remaining effective stabiliser (% of
    initial, lower bound included, upper excluded) and what it means. National policy data."""

    min_remaining_pct = models.DecimalField(
        # xgettext:no-python-format
        _("from (% remaining, included)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    max_remaining_pct = models.DecimalField(
        # xgettext:no-python-format
        _("below (% remaining, excluded)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    category = models.CharField(
        _("category"), max_length=12, choices=StabilityCategory.choices, unique=True
    )
    condition = condition_fk(
        optional=True,
        help_text=_("The condition a result in this band gives the lot; empty: unchanged."),
    )
    action = models.CharField(_("action"), max_length=200)
    retest_months = models.PositiveIntegerField(_("retest after (months)"), null=True, blank=True)
    dispose_within_days = models.PositiveIntegerField(
        _("dispose within (days)"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-min_remaining_pct"]
        verbose_name = _("stability policy band")
        verbose_name_plural = _("stability policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_remaining_pct__isnull=True)
                | Q(max_remaining_pct__isnull=True)
                | Q(min_remaining_pct__lt=models.F("max_remaining_pct")),
                name="stability_band_order",
            )
        ]

    def __str__(self) -> str:
        return self.get_category_display()


class InspectionInterval(models.Model):
    """How often lots of one ammunition type are inspected (policy); other types use the
    `inspection_interval_months` policy setting."""

    ammunition_type = models.OneToOneField(
        "inventory.AmmunitionType", on_delete=models.PROTECT, related_name="inspection_interval"
    )
    months = models.PositiveIntegerField(_("interval (months)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection interval")
        constraints = [
            models.CheckConstraint(condition=Q(months__gt=0), name="inspection_interval_positive")
        ]


class InspectionKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt inspection")
    PERIODIC = "periodic", _("periodic inspection")
    PRE_ISSUE = "pre_issue", _("pre-issue inspection")
    POST_INCIDENT = "post_incident", _("post-incident inspection")


class Inspection(models.Model):
    """An inspection of a lot (IATG 07.20), optionally of its stock in one storehouse."""

    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, related_name="inspections")
    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("inspected on"))
    inspector = user_fk()
    sample_size = models.PositiveIntegerField(_("sample size"))
    findings = models.TextField(_("findings"))
    condition = condition_fk(help_text=_("The lot's condition as this inspection found it."))
    next_due_on = models.DateField(_("next inspection due"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["lot", "-inspected_on"], name="inspection_lot_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(sample_size__gt=0), name="inspection_sample_size")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.lot} {self.inspected_on}"


class InspectionAttachment(models.Model):
    """A photo or scanned form; served only to users whose scope covers the inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="inspections/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = user_fk()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class StabilityMethod(models.TextChoices):
    """How the propellant was tested. Content methods report effective stabiliser; the others
    give pass or fail (DESIGN.md §8)."""

    HPLC = "hplc", _("stabiliser content by HPLC")
    GC = "gc", _("stabiliser content by gas chromatography")
    TLC = "tlc", _("stabiliser content by thin-layer chromatography")
    HEAT_FLOW = "heat_flow_calorimetry", _("heat-flow calorimetry (pass/fail)")
    VACUUM_STABILITY = "vacuum_stability", _("vacuum stability test (pass/fail)")
    ABEL_HEAT = "abel_heat", _("Abel heat test (pass/fail)")


PASS_FAIL_METHODS = frozenset(
    {StabilityMethod.HEAT_FLOW, StabilityMethod.VACUUM_STABILITY, StabilityMethod.ABEL_HEAT}
)


class StabilityMethodPolicy(models.Model):
    """What a pass on one test method may conclude (policy, one row per method; DESIGN.md §8).

    Content methods (HPLC, GC, TLC) measure the remaining stabiliser and go through the bands;
    their row only records that. A pass on a pass/fail method gives at most `pass_category`:
    heat-flow calorimetry may show a propellant stable, but a screening test (Abel heat, vacuum
    stability) cannot say how much stabiliser is left, so by default its pass is `monitor`, with
    a quantitative retest within `pass_retest_months`. A fail is unstable whatever the method."""

    method = models.CharField(
        _("method"), max_length=24, choices=StabilityMethod.choices, unique=True
    )
    pass_category = models.CharField(
        _("a pass gives at most"),
        max_length=12,
        choices=StabilityCategory.choices,
        blank=True,
        help_text=_("Pass/fail methods only; empty for content methods (the bands apply)."),
    )
    pass_retest_months = models.PositiveIntegerField(
        _("retest after a pass (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the retest interval of the category's band."),
    )
    pass_action = models.CharField(
        _("action after a pass"),
        max_length=200,
        blank=True,
        help_text=_("Added to the band's action, e.g. “retest by stabiliser content (HPLC)”."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["method"]
        verbose_name = _("stability test method policy")
        verbose_name_plural = _("stability test method policy")

    def __str__(self) -> str:
        return self.get_method_display()


class StabilityTest(models.Model):
    """A propellant stability test result (IATG 07.10) and what the policy table made of it."""

    lot = models.ForeignKey(
        "inventory.Lot", on_delete=models.PROTECT, related_name="stability_tests"
    )
    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    sampled_on = models.DateField(_("sampled on"))
    laboratory = models.CharField(_("laboratory"), max_length=200)
    method = models.CharField(_("method"), max_length=24, choices=StabilityMethod.choices)
    stabiliser = models.CharField(_("stabiliser"), max_length=80, blank=True)
    initial_content_pct = models.DecimalField(
        _("initial content (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    measured_content_pct = models.DecimalField(
        _("measured effective content (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    remaining_pct = models.DecimalField(
        # xgettext:no-python-format
        _("remaining effective stabiliser (% of initial)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
    )
    category = models.CharField(_("category"), max_length=12, choices=StabilityCategory.choices)
    action = models.CharField(_("action"), max_length=200)
    resulting_condition = models.CharField(_("condition given"), max_length=2, blank=True)
    next_test_due = models.DateField(_("next test due"), null=True, blank=True)
    dispose_by = models.DateField(_("dispose by"), null=True, blank=True)
    tested_by = user_fk()
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sampled_on", "-id"]
        indexes = [models.Index(fields=["lot", "-sampled_on"], name="stability_lot_recent")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(passed__isnull=True)
                    & Q(initial_content_pct__gt=0)
                    & Q(measured_content_pct__gte=0)
                )
                | (
                    Q(passed__isnull=False)
                    & Q(initial_content_pct__isnull=True)
                    & Q(measured_content_pct__isnull=True)
                ),
                name="stability_content_or_pass_fail",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lot} {self.sampled_on} {self.category}"


class ConditionChange(models.Model):
    """What a condition-change document did: the lot's condition before and after, and why."""

    document = models.OneToOneField(
        "inventory.Document", on_delete=models.PROTECT, related_name="condition_change"
    )
    lot = models.ForeignKey(
        "inventory.Lot", on_delete=models.PROTECT, related_name="condition_changes"
    )
    from_condition = models.CharField(_("from"), max_length=2)
    to_condition = models.CharField(_("to"), max_length=2)
    authority_reference = models.CharField(_("authority reference"), max_length=120, blank=True)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stability_test = models.ForeignKey(
        StabilityTest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["lot", "-id"], name="condition_change_lot")]


class ShelfLifeExtension(models.Model):
    """An inspector's decision to extend a lot's expiry, justified by a test or an inspection."""

    lot = models.ForeignKey(
        "inventory.Lot", on_delete=models.PROTECT, related_name="shelf_life_extensions"
    )
    previous_expires_on = models.DateField(_("previous expiry"), null=True, blank=True)
    new_expires_on = models.DateField(_("new expiry"))
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stability_test = models.ForeignKey(
        StabilityTest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    decided_by = user_fk()
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspection__isnull=False) | Q(stability_test__isnull=False),
                name="extension_justified",
            )
        ]


class LotSurveillance(models.Model):
    """When a lot is next due for inspection and stability test: kept by the services that
    record them, read by the daily sweep and the inspector's work list. A lot without a row
    falls due by policy from its dates (see surveillance.selectors)."""

    lot = models.OneToOneField(
        "inventory.Lot", on_delete=models.CASCADE, primary_key=True, related_name="surveillance"
    )
    last_inspected_on = models.DateField(null=True, blank=True)
    next_inspection_due = models.DateField(null=True, blank=True)
    last_stability_test_on = models.DateField(null=True, blank=True)
    last_stability_category = models.CharField(
        max_length=12, choices=StabilityCategory.choices, blank=True
    )
    next_stability_test_due = models.DateField(null=True, blank=True)


class LotDue(models.Model):
    """When a lot is due for inspection and stability test: a database view (migrations 0003,
    0004) over the lot, its surveillance rows and its ancestors' (a lot split off another
    inherits its tests and inspections, DESIGN.md §5), and the policy. Read only."""

    lot = models.OneToOneField(
        "inventory.Lot", on_delete=models.DO_NOTHING, primary_key=True, related_name="due"
    )
    inspection_due = models.DateField()
    stability_due = models.DateField(null=True)
    never_stability_tested = models.BooleanField()
    # The latest test and inspection recorded on the lot or a lot it was split from.
    last_stability_test_on = models.DateField(null=True)
    last_inspected_on = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "surveillance_lotdue"
