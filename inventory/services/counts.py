"""Blind counts: which storehouses have their book hidden from counters (inventory.models.counts).

Called by the stock-check service when counting starts or resumes (begin) and when the counts are
submitted or the check cancelled (end), inside its transaction.
"""

from collections.abc import Iterable

from django.utils import timezone

from inventory.models import BlindCount, Depot, Storehouse


def blind_count_begin(*, depot: Depot, storehouse: Storehouse | None, reference: str) -> int:
    """Hide the book of `storehouse` (every storehouse of `depot` when None) from the depot's
    counters until `blind_count_end(reference)`. Safe to call twice. Returns storehouses hidden."""
    storehouses: Iterable[int] = (
        [storehouse.pk]
        if storehouse is not None
        else Storehouse.objects.filter(depot=depot).values_list("pk", flat=True)
    )
    now = timezone.now()
    created = BlindCount.objects.bulk_create(
        [
            BlindCount(storehouse_id=pk, depot=depot, reference=reference, started_at=now)
            for pk in storehouses
        ],
        ignore_conflicts=True,
    )
    return len(created)


def blind_count_end(*, reference: str) -> int:
    """Show the book again: the count `reference` is submitted or abandoned."""
    deleted, _ = BlindCount.objects.filter(reference=reference).delete()
    return deleted
