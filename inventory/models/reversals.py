"""A reversal that would take stock off the books, waiting for a second person (issue 15)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import two_person_rule, user_fk


class ReversalProposalStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("pending approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ReversalProposal(models.Model):
    """Reversing a receipt, a return, a transfer receipt or a gain removes stock exactly as a
    negative adjustment does, so it needs the same second person: the clerk proposes, an inspector
    other than the clerk approves, and only then is the reversal document posted. Until then the
    document is not reversed and nothing on the ledger changes. Rejected proposals stay on
    record."""

    document = models.ForeignKey(
        "inventory.Document", on_delete=models.PROTECT, related_name="reversal_proposals"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=20,
        choices=ReversalProposalStatus.choices,
        default=ReversalProposalStatus.PENDING_APPROVAL,
    )
    proposed_by = user_fk()
    proposed_at = models.DateTimeField()
    decided_by = user_fk(optional=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reversal = models.OneToOneField(
        "inventory.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_proposal",
        help_text=_("The reversal document posted on approval."),
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("reversal proposal")
        verbose_name_plural = _("reversal proposals")
        constraints = [
            # One open proposal per document: a second would be a second reversal.
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="pending_approval"),
                name="reversal_proposal_one_pending",
            ),
            two_person_rule(
                approver="decided_by",
                author="proposed_by",
                name="reversal_proposal_two_person_rule",
            ),
            models.CheckConstraint(
                condition=Q(status="approved", reversal__isnull=False)
                | (~Q(status="approved") & Q(reversal__isnull=True)),
                name="reversal_proposal_approved_has_reversal",
            ),
            models.CheckConstraint(
                condition=Q(status="pending_approval", decided_by__isnull=True)
                | (~Q(status="pending_approval") & Q(decided_by__isnull=False)),
                name="reversal_proposal_decided_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('reversal of')} {self.document}"
