"""Depot freezes (inventory.models.freezes): a depot where every posting is refused meanwhile.

Called by the stock-check service inside its transaction: `depot_freeze` when a 100 % check that
freezes starts counting, `depot_unfreeze` when it is approved or cancelled. The posting policy read
(inventory.policy.posting_policy) refuses postings in a frozen depot with `depot_frozen`.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import InvalidState
from inventory.models import Depot, DepotFreeze


def depot_freeze(*, depot: Depot, reference: str) -> DepotFreeze:
    """Freeze `depot` for the count `reference` (a stock check's number). InvalidState when
    another count holds the depot frozen; the same count freezing again keeps its freeze."""
    freeze, created = DepotFreeze.objects.get_or_create(
        depot=depot, defaults={"reference": reference, "frozen_at": timezone.now()}
    )
    if not created and freeze.reference != reference:
        raise InvalidState(
            _("Depot %(depot)s is already frozen for stock check %(check)s.")
            % {"depot": depot.code, "check": freeze.reference}
        )
    return freeze


def depot_unfreeze(*, reference: str) -> int:
    """Allow postings again where the count `reference` froze them. Safe to call twice."""
    deleted, _detail = DepotFreeze.objects.filter(reference=reference).delete()
    return deleted
