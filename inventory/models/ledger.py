"""Lots and the ledger (DESIGN.md §5, §7): documents, their lines, and the balances they project.

Quantities change only through documents posted by inventory.services.posting. The database
enforces what it can: no zero lines, no negative balance, lines never updated or deleted, document
headers moving only along their life cycle (triggers in migrations), one reversal per document.
"""

from datetime import date

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.models import two_person_rule, user_fk
from inventory.models.reference import condition_fk


class Lot(models.Model):
    """A quantity of one type made by one manufacturer under uniform conditions: the tracing key."""

    ammunition_type = models.ForeignKey(
        "inventory.AmmunitionType", on_delete=models.PROTECT, related_name="lots"
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    lot_number = models.CharField(_("lot number"), max_length=80, help_text=_("As marked."))
    country_of_manufacture = models.CharField(_("country of manufacture"), max_length=2, blank=True)
    manufactured_on = models.DateField(
        _("date of manufacture"),
        help_text=_("When only the year and month are known, the first day of the month."),
    )
    batch = models.CharField(_("batch"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # The lots it was split from, nearest first (parent, grandparent, ... root): surveillance
    # records and bans of an ancestor count for it (DESIGN.md §5), read in one lookup whatever
    # the depth. Written once when the lot is created from its parent.
    ancestry = ArrayField(models.BigIntegerField(), default=list, blank=True, editable=False)
    component_lots = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="used_in"
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    expiry_overridden = models.BooleanField(default=False)
    neq_per_unit_kg = models.DecimalField(
        _("NEQ per unit override (kg)"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    condition = condition_fk()
    identity_lost = models.BooleanField(_("identity lost"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ammunition_type_id", "lot_number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(
                "ammunition_type",
                "manufacturer",
                Upper("lot_number"),
                name="lot_number_unique_per_type_and_maker",
            ),
            models.CheckConstraint(
                condition=Q(neq_per_unit_kg__isnull=True) | Q(neq_per_unit_kg__gte=0),
                name="lot_neq_not_negative",
            ),
        ]
        indexes = [
            models.Index(Upper("lot_number"), name="lot_number_upper"),
            # Partial lot-number search (trace, tracing requests, lot search: icontains, which
            # PostgreSQL runs as UPPER(lot_number) LIKE '%...%'): a trigram index on the same
            # expression (docs/performance.md).
            GinIndex(OpClass(Upper("lot_number"), name="gin_trgm_ops"), name="lot_number_trgm"),
            # A lot's descendants (ancestry @> ARRAY[id]): what a test or ban on it reaches.
            GinIndex(fields=["ancestry"], name="lot_ancestry"),
        ]

    def __str__(self) -> str:
        return self.lot_number

    def is_expired(self, on: date) -> bool:
        """Expired on day `on` (DESIGN.md §6): `expires_on` is the last valid day, so a lot is
        expired from the day after it. Alerts (alerts.detectors), surplus (surplus.computation)
        and pages compare the same way: `expires_on < day`."""
        return self.expires_on is not None and self.expires_on < on


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    # Stock brought in from the paper ledgers a depot kept before the system (DESIGN.md §14):
    # + into one storehouse, posted by the import; its file and rows are its DocumentSource.
    OPENING_BALANCE = "opening_balance", _("opening balance")
    ISSUE = "issue", _("issue")
    TRANSFER = "transfer", _("transfer dispatch")
    TRANSFER_RECEIPT = "transfer_receipt", _("transfer receipt")
    INTERNAL_MOVE = "internal_move", _("internal move")
    RETURN = "return", _("return")
    ADJUSTMENT = "adjustment", _("adjustment")
    CONDITION_CHANGE = "condition_change", _("condition change")
    LOT_SPLIT = "lot_split", _("lot split")
    DISPOSAL = "disposal", _("disposal")
    REVERSAL = "reversal", _("reversal")


class DocumentStatus(models.TextChoices):
    POSTED = "posted", _("posted")
    PENDING_APPROVAL = "pending_approval", _("pending approval")
    REJECTED = "rejected", _("rejected")
    IN_TRANSIT = "in_transit", _("in transit")
    RECEIVED = "received", _("received")
    RECEIVED_WITH_DISCREPANCY = "received_with_discrepancy", _("received with discrepancy")


# The only status changes a document header may make; the trigger in migration 0003 says the same.
STATUS_TRANSITIONS = {
    (DocumentStatus.PENDING_APPROVAL, DocumentStatus.POSTED),
    (DocumentStatus.PENDING_APPROVAL, DocumentStatus.REJECTED),
    (DocumentStatus.IN_TRANSIT, DocumentStatus.RECEIVED),
    (DocumentStatus.IN_TRANSIT, DocumentStatus.RECEIVED_WITH_DISCREPANCY),
}


class AdjustmentReason(models.TextChoices):
    COUNT_VARIANCE = "count_variance", _("count variance")
    FOUND = "found", _("found")
    LOST = "lost", _("lost")
    STOLEN = "stolen", _("stolen")
    DAMAGED = "damaged", _("damaged")
    DATA_ENTRY = "data_entry_correction", _("data-entry correction")


LOSS_REASONS = frozenset({AdjustmentReason.LOST, AdjustmentReason.STOLEN})


class Document(models.Model):
    """A voucher: numbered per depot and year, dated, posted by a person; its lines never change."""

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=30, unique=True)
    status = models.CharField(_("status"), max_length=28, choices=DocumentStatus.choices)
    occurred_on = models.DateField(_("occurred on"))
    posted_at = models.DateTimeField(_("posted at"))
    posted_by = user_fk()
    on_behalf_of = user_fk(
        optional=True, help_text=_("For automatic postings: the person whose action caused them.")
    )
    approved_by = user_fk(optional=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(_("external reference"), max_length=120, blank=True)
    counterparty = models.CharField(_("counterparty"), max_length=200, blank=True)
    recipient = models.ForeignKey(
        "inventory.Recipient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    destination_depot = models.ForeignKey(
        "inventory.Depot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transfer = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_receipt",
        help_text=_("For a transfer receipt: the dispatch it receives."),
    )
    source_issue = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="returns"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )

    # Not a column. The ledger lines the posting service has just written for this document, in
    # id order with their ids set, on the instance the service returns (None on a document read
    # from the database, and on a pending adjustment): an edge renders a new document from them
    # without reading it back. A document posted with lines has no pending lines and no reversal.
    posted_lines: "tuple[LedgerLine, ...] | None" = None

    class Meta:
        ordering = ["-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["depot", "-id"], name="document_depot_recent"),
            models.Index(fields=["depot", "kind", "status"], name="document_depot_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(kind=DocumentKind.REVERSAL),
                name="document_only_reversals_reverse",
            ),
            two_person_rule(
                approver="approved_by", author="posted_by", name="document_two_person_rule"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class LedgerLine(models.Model):
    """One posted movement of one lot in one storehouse; chained per depot by hash."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="lines")
    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="ledger_lines")
    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.PROTECT, related_name="ledger_lines"
    )
    quantity = models.IntegerField()
    balance_after = models.BigIntegerField(
        help_text="The lot's balance in the storehouse after this line: the stock card's running "
        "balance, written once by the posting service under the balance row's lock."
    )
    occurred_on = models.DateField()
    posted_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["lot", "storehouse", "id"], name="line_stock_card"),
            models.Index(fields=["depot", "occurred_on"], name="line_depot_period"),
            models.Index(fields=["lot", "id"], name="line_lot"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="line_quantity_not_zero")
        ]


class DocumentSource(models.Model):
    """The file an imported document came from (opening balances, DESIGN.md §14): its name and
    SHA-256, so a balance traces back to the spreadsheet. Written once, with the document."""

    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, primary_key=True, related_name="source"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)


class LineSource(models.Model):
    """The row of the imported file (1 = first data row) that a ledger line came from."""

    line = models.OneToOneField(
        LedgerLine, on_delete=models.PROTECT, primary_key=True, related_name="source"
    )
    row = models.PositiveIntegerField(_("source row"))
    note = models.CharField(_("note"), max_length=500, blank=True)


class PendingLine(models.Model):
    """A proposed line of a document awaiting approval (adjustments): no effect on balances."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="pending_lines")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.IntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="pending_quantity_not_zero")
        ]


class Balance(models.Model):
    """Stock on hand of one lot in one storehouse: a projection of the ledger, never edited."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="balances")
    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.PROTECT, related_name="balances"
    )
    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["depot", "storehouse", "lot"], name="balance_depot_list")]
        constraints = [
            models.UniqueConstraint(fields=["lot", "storehouse"], name="balance_lot_storehouse"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_not_negative"),
        ]


class LotInStorehouse(models.Model):
    """Where a line of a record kept above the ledger points: one lot in one storehouse (to
    count, to dispose of, to transfer). Protected, with no reverse accessors: such lines are read
    through their record, never from the lot or the store."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="+")
    storehouse = models.ForeignKey(
        "inventory.Storehouse", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class DocumentCounter(models.Model):
    """The gapless document number counter of one depot and year; locked first when posting."""

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["depot", "year"], name="counter_depot_year")]


class ChainHead(models.Model):
    """The last hash of a depot's ledger chain; locked with the counter when posting."""

    depot = models.OneToOneField(
        "inventory.Depot", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    last_hash = models.CharField(max_length=64)
    line_count = models.BigIntegerField(default=0)


class ClosedPeriod(models.Model):
    """A depot's accounting period closed to postings (409 period_closed)."""

    depot = models.ForeignKey("inventory.Depot", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    closed_by = user_fk()
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="closed_period_order"
            )
        ]
