"""What the accounting core tells the apps above it, without importing them (docs: LAYERS.md).

Inventory records facts that must never be refused (a lot split into a worse condition, like a
condition change, is recorded even when it mixes stock that should be apart; expired stock is
received, DESIGN.md §6) and that apps above it report on (alerts). Those apps register a
listener here when Django starts (their AppConfig.ready); the service that records the fact
calls `storage_changed`, `expired_stock_received` or `licence_changed` inside its transaction,
so what the listener writes commits or rolls back with the fact.

One question goes the other way: how accurate the depots' counts were (`count_accuracy`), which
oversight (diversion's profiles) asks and the app that counts (stockchecks) answers, so neither
imports the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

StorageListener = Callable[..., None]
ExpiredListener = Callable[..., None]
# (start, end) -> {depot id: (lines counted, lines correct)} of the counts approved in [start, end]
AccuracyReader = Callable[..., dict[int, tuple[int, int]]]
LicenceListener = Callable[..., None]

_storage_listeners: list[StorageListener] = []
_expired_listeners: list[ExpiredListener] = []
_accuracy_readers: list[AccuracyReader] = []
_licence_listeners: list[LicenceListener] = []


def on_storage_changed(listener: StorageListener) -> StorageListener:
    """Register `listener(storehouse_ids=set[int], on=date)`: called when what these
    storehouses hold, or the condition of what they hold, changed without the §4 checks of a
    posting (condition changes, splits). Registering twice keeps one."""
    if listener not in _storage_listeners:
        _storage_listeners.append(listener)
    return listener


def storage_changed(*, storehouse_ids: Iterable[int], on: date) -> None:
    ids = set(storehouse_ids)
    if not ids:
        return
    for listener in list(_storage_listeners):
        listener(storehouse_ids=ids, on=on)


def on_expired_stock_received(listener: ExpiredListener) -> ExpiredListener:
    """Register `listener(depot_id=int, lot_ids=set[int], on=date)`: called when a posting (a
    receipt, return, transfer receipt, approved adjustment, reversal or move) has put stock of
    these lots, expired with no extension, into storehouses of the depot; `on` is the voucher
    date. Registering twice keeps one."""
    if listener not in _expired_listeners:
        _expired_listeners.append(listener)
    return listener


def expired_stock_received(*, depot_id: int, lot_ids: Iterable[int], on: date) -> None:
    ids = set(lot_ids)
    if not ids:
        return
    for listener in list(_expired_listeners):
        listener(depot_id=depot_id, lot_ids=ids, on=on)


def on_count_accuracy(reader: AccuracyReader) -> AccuracyReader:
    """Register `reader(start=date, end=date)` answering `count_accuracy`. Registering twice
    keeps one."""
    if reader not in _accuracy_readers:
        _accuracy_readers.append(reader)
    return reader


def count_accuracy(*, start: date, end: date) -> dict[int, tuple[int, int]]:
    """Lines counted and lines found correct, by depot, in the counts approved from `start` to
    `end` (inclusive), summed over the registered readers; {} when none is registered."""
    totals: dict[int, tuple[int, int]] = {}
    for reader in list(_accuracy_readers):
        for depot_id, (counted, correct) in reader(start=start, end=end).items():
            before = totals.get(depot_id, (0, 0))
            totals[depot_id] = (before[0] + counted, before[1] + correct)
    return totals


def on_licence_changed(listener: LicenceListener) -> LicenceListener:
    """Register `listener(storehouse_ids=set[int])`: called when a licence of these storehouses
    was recorded or its limits changed (quantity-distance checks the new limits at once).
    Registering twice keeps one."""
    if listener not in _licence_listeners:
        _licence_listeners.append(listener)
    return listener


def licence_changed(*, storehouse_ids: Iterable[int]) -> None:
    ids = set(storehouse_ids)
    if not ids:
        return
    for listener in list(_licence_listeners):
        listener(storehouse_ids=ids)
