"""Celery doorways into inventory services."""

import logging

from celery import shared_task

from inventory.services.posting import balance_drift

logger = logging.getLogger(__name__)


@shared_task(name="inventory.reconcile_ledger")
def reconcile_ledger_task() -> int:
    """Nightly: count balances that differ from their ledger (the alert comes with surveillance)."""
    drift = balance_drift()
    for lot_id, storehouse_id, balance, ledger in drift:
        logger.critical(
            "ledger drift: lot %s storehouse %s balance %s ledger %s",
            lot_id,
            storehouse_id,
            balance,
            ledger,
        )
    return len(drift)
