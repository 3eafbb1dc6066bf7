"""Reference data: storehouses and licences, ammunition types, recipients, suppliers, waivers, and
the policy tables (hazard codes, mixing matrix, condition codes, settings) that national
authorities configure. Every change is kept (django-simple-history)."""

from decimal import Decimal
from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, DateRangeField, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import CodeNamed, user_fk
from inventory.rules import COMPATIBILITY_GROUPS


class HazardDivision(models.TextChoices):
    HD_1_1 = "1.1", "1.1"
    HD_1_2_1 = "1.2.1", "1.2.1"
    HD_1_2_2 = "1.2.2", "1.2.2"
    HD_1_3 = "1.3", "1.3"
    HD_1_4 = "1.4", "1.4"
    HD_1_5 = "1.5", "1.5"
    HD_1_6 = "1.6", "1.6"


CompatibilityGroup = models.TextChoices(
    "CompatibilityGroup", [(group, group) for group in COMPATIBILITY_GROUPS]
)
LICENSABLE_DIVISIONS = ("1.1", "1.2.1", "1.2.2", "1.3", "1.4")


class Availability(models.TextChoices):
    ISSUABLE = "issuable", _("issuable")
    RESTRICTED = "restricted", _("restricted")
    SUSPENDED = "suspended", _("suspended")
    UNSERVICEABLE = "unserviceable", _("unserviceable")


class StorehouseKind(models.TextChoices):
    EARTH_COVERED = "earth_covered_magazine", _("earth-covered magazine")
    ABOVE_GROUND = "above_ground_storehouse", _("above-ground storehouse")
    CONTAINER = "container", _("container")
    OPEN_STACK = "open_stack", _("open stack")


# The kind a storehouse takes when none is given (the API's `kind` came after DESIGN.md §11 and
# is optional): a plain above-ground building, the generic explosive storehouse of §2 and, for
# quantity-distance, the kind that claims no protection from earth cover.
STOREHOUSE_DEFAULT_KIND = StorehouseKind.ABOVE_GROUND


class Storehouse(models.Model):
    """An explosive storehouse (potential explosion site) of a depot, under a licence."""

    depot = models.ForeignKey(
        "inventory.Depot", on_delete=models.PROTECT, related_name="storehouses"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=StorehouseKind.choices)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["depot__code", "code"]
        verbose_name = _("storehouse")
        verbose_name_plural = _("storehouses")
        constraints = [
            models.UniqueConstraint(fields=["depot", "code"], name="storehouse_code_per_depot")
        ]

    def __str__(self) -> str:
        return f"{self.depot.code}/{self.code}"


class Licence(models.Model):
    """An explosive licence: per-division NEQ limits for one storehouse over a validity period."""

    storehouse = models.ForeignKey(Storehouse, on_delete=models.PROTECT, related_name="licences")
    number = models.CharField(_("licence number"), max_length=60)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["storehouse", "-valid_from"]
        verbose_name = _("explosive licence")
        verbose_name_plural = _("explosive licences")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="licence_period_order"
            ),
            # At most one licence in force per storehouse on any day (IATG 02.30). The storehouse
            # is compared as a one-point range so that plain GiST serves (no btree_gist needed).
            ExclusionConstraint(
                name="licence_no_overlap",
                expressions=[
                    (
                        Func(
                            F("storehouse"),
                            F("storehouse"),
                            Value("[]"),
                            function="int8range",
                            output_field=BigIntegerRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                    (
                        Func(
                            F("valid_from"),
                            F("valid_until"),
                            Value("[]"),
                            function="daterange",
                            output_field=DateRangeField(),
                        ),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.storehouse})"

    def limits_dict(self) -> dict[str, Decimal | None]:
        """Division -> max NEQ kg (None: unlimited); a division absent is not permitted."""
        return {limit.hazard_division: limit.max_neq_kg for limit in self.limits.all()}


class LicenceLimit(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="limits")
    hazard_division = models.CharField(max_length=5, choices=[(d, d) for d in LICENSABLE_DIVISIONS])
    max_neq_kg = models.DecimalField(
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Empty means unlimited."),
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "hazard_division"], name="licence_limit_per_division"
            ),
            models.CheckConstraint(
                condition=Q(max_neq_kg__isnull=True) | Q(max_neq_kg__gte=0),
                name="licence_limit_not_negative",
            ),
        ]


class HazardCode(models.Model):
    """A legal UN hazard code (division + compatibility group), e.g. 1.1D. Policy data."""

    code = models.CharField(max_length=5, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class AmmunitionCategory(models.TextChoices):
    SMALL_ARMS = "small_arms", _("small arms ammunition")
    MORTAR = "mortar", _("mortar")
    ARTILLERY = "artillery", _("artillery")
    ROCKET = "rocket", _("rocket")
    MISSILE = "missile", _("missile")
    GRENADE = "grenade", _("grenade")
    MINE = "mine", _("mine")
    DEMOLITION = "demolition", _("demolition store")
    INITIATOR = "initiator", _("initiator, fuze or detonator")
    PROPELLANT = "propellant", _("propellant or charge")
    PYROTECHNIC = "pyrotechnic", _("pyrotechnic")
    OTHER = "other", _("other")


class AmmunitionType(CodeNamed):
    """A nature of ammunition with its UN hazard classification and NEQ per unit."""

    category = models.CharField(_("category"), max_length=20, choices=AmmunitionCategory.choices)
    calibre = models.CharField(_("calibre"), max_length=40, blank=True)
    hazard_division = models.CharField(
        _("hazard division"), max_length=5, choices=HazardDivision.choices
    )
    compatibility_group = models.CharField(
        _("compatibility group"), max_length=1, choices=CompatibilityGroup.choices
    )
    neq_per_unit_kg = models.DecimalField(
        _("NEQ per unit (kg)"),
        max_digits=14,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(0))],
    )
    unit = models.CharField(_("unit of issue"), max_length=30, default="round")
    # NEQ is per unit of issue, which may be a box: the rules about items (the 5 kg rule, the
    # 1.2.1/1.2.2 split) read NEQ per item, neq_per_unit_kg / items_per_unit.
    items_per_unit = models.PositiveIntegerField(
        _("items per unit of issue"),
        default=1,
        db_default=1,  # rows written in SQL (benchmarks, bulk loads) need not know the column
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many items (rounds, grenades, charges) one unit of issue holds; NEQ per unit is "
            "for the whole unit. 1 when the unit is a single item."
        ),
    )
    packaging = models.CharField(_("packaging"), max_length=200, blank=True)
    shelf_life_months = models.PositiveIntegerField(_("shelf life (months)"), null=True, blank=True)
    contains_propellant = models.BooleanField(_("contains propellant"), default=False)
    shaped_charge = models.BooleanField(_("shaped charge"), default=False)
    high_energy_propellant = models.BooleanField(_("high-energy propellant"), default=False)
    obsolete = models.BooleanField(_("obsolete"), default=False)
    # Note n1 (DESIGN.md §4 rule 1): the types a CG B item (fuze, detonator) is fitted to. Strict:
    # a B type with none recorded shares a storehouse with no CG D, E or F stock.
    assembles_to = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="assembled_from",
        verbose_name=_("assembles to"),
        help_text=_(
            "CG B items only: the ammunition types they are fitted to. They may share a "
            "storehouse with CG D, E or F stock only when every such lot is of one of these types."
        ),
    )
    history = HistoricalRecords(m2m_fields=[assembles_to])

    class Meta(CodeNamed.Meta):
        verbose_name = _("ammunition type")
        verbose_name_plural = _("ammunition types")
        constraints = [
            models.CheckConstraint(
                condition=Q(neq_per_unit_kg__gte=0), name="type_neq_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(items_per_unit__gte=1), name="type_items_per_unit_positive"
            ),
        ]

    @property
    def neq_per_item_kg(self) -> Decimal:
        return self.neq_per_unit_kg / self.items_per_unit

    @property
    def hazard_code(self) -> str:
        """Division as stored (with the storage sub-division) and group, e.g. "1.2.1E": the
        API's `hazard_code` since its first version, kept for its clients."""
        return f"{self.hazard_division}{self.compatibility_group}"

    @property
    def storage_sub_division(self) -> str:
        """The storage sub-division, 1.2.1 or 1.2.2, for HD 1.2 (AASTP-1); else empty."""
        return self.hazard_division if self.hazard_division.count(".") == 2 else ""

    @property
    def un_hazard_code(self) -> str:
        """The UN hazard classification code, division + compatibility group (DESIGN.md §3,
        UN Model Regulations 2.1.2): "1.2E", never "1.2.1E"."""
        division = ".".join(self.hazard_division.split(".")[:2])
        return f"{division}{self.compatibility_group}"

    @property
    def hazard_label(self) -> str:
        """What pages, vouchers and reports print: "1.2E, SsD 1.2.1", or "1.1D"."""
        if self.storage_sub_division:
            return f"{self.un_hazard_code}, SsD {self.storage_sub_division}"
        return self.un_hazard_code


class RecipientKind(models.TextChoices):
    UNIT = "unit", _("military unit")
    AGENCY = "agency", _("agency")
    RANGE = "range", _("range")
    POLICE = "police", _("police")
    FOREIGN_STATE = "foreign_state", _("foreign state")
    PRIVATE_END_USER = "private_end_user", _("private end user")


class Recipient(CodeNamed):
    """A unit or agency that ammunition is issued to (the register of recipients)."""

    kind = models.CharField(_("kind"), max_length=20, choices=RecipientKind.choices)
    depot = models.ForeignKey(
        "inventory.Depot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recipients",
        help_text=_("The depot it draws from, if any."),
    )
    permitted_restricted = models.BooleanField(
        _("may receive restricted stock"),
        default=False,
        help_text=_("Restricted (condition B) lots may be issued only to permitted recipients."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta(CodeNamed.Meta):
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")


class Supplier(CodeNamed):
    """A manufacturer, supplier or sending state that receipts come from."""

    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code"))
    history = HistoricalRecords()


class WaiverRule(models.TextChoices):
    SEGREGATION_N2 = "n2", _("compatibility note n2: effective segregation")
    AUTHORITY_N4 = "n4", _("compatibility note n4: national authority decision on CG G")
    ISOLATION = "isolation", _("stock to be stored apart shares the storehouse (quarantine store)")


class Waiver(models.Model):
    """A recorded exception to a waivable storage rule for one storehouse, until it expires."""

    storehouse = models.ForeignKey(Storehouse, on_delete=models.PROTECT, related_name="waivers")
    rule = models.CharField(_("rule"), max_length=12, choices=WaiverRule.choices)
    reason = models.TextField(_("reason"))
    authority_reference = models.CharField(_("authority reference"), max_length=120)
    expires_on = models.DateField(_("expires on"))
    recorded_by = user_fk()
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at"]


class ConditionCode(models.Model):
    """A condition code and its availability (DESIGN.md §6). National policy data."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    availability = models.CharField(_("availability"), max_length=16, choices=Availability.choices)
    isolate = models.BooleanField(
        _("stored apart"),
        default=False,
        help_text=_(
            "Lots in this condition may not share a storehouse with any other lot (DESIGN.md §4 "
            "rule 2) unless an isolation waiver designates the storehouse as a quarantine store."
        ),
    )
    meaning = models.CharField(_("meaning"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_availability_display()})"


def condition_fk(*, optional: bool = False, **options: Any) -> models.ForeignKey:
    """A lot's condition as a record holds it: the code itself in a column `condition` (read
    and compared as "A", "D" ...), constrained to the ConditionCode table. `optional`: may be
    empty."""
    if optional:
        options.update(null=True, blank=True)
    return models.ForeignKey(
        "inventory.ConditionCode",
        to_field="code",
        db_column="condition",
        on_delete=models.PROTECT,
        related_name="+",
        **options,
    )


class MixingMatrixVersion(models.Model):
    """One version of the compatibility mixing matrix; the newest effective one applies."""

    version = models.PositiveIntegerField(unique=True)
    effective_from = models.DateField()
    source = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]


class MixingCell(models.Model):
    version = models.ForeignKey(MixingMatrixVersion, on_delete=models.PROTECT, related_name="cells")
    group_a = models.CharField(max_length=1, choices=CompatibilityGroup.choices)
    group_b = models.CharField(max_length=1, choices=CompatibilityGroup.choices)
    value = models.CharField(max_length=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "group_a", "group_b"], name="mixing_cell")
        ]


class PolicySetting(models.Model):
    """A named policy value (e.g. backdate_days) that the national authority may change."""

    key = models.CharField(max_length=60, unique=True)
    value = models.JSONField()
    description = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
