"""The posting service: the only code that writes documents, ledger lines and balances.

Every public function here is one transaction that takes its locks through inventory.locks in the
fixed order, checks every rule before it writes, and either posts the whole document or raises
(an ApplicationError -> 409, a ValidationError -> 400, PermissionDenied -> 403) having written
nothing.

One module per concern: lines (what a posting is made of), checks, writer (the one code
that writes documents, lines, balances, counters and chain heads), kinds, transfers,
adjustments, reversal, lots, opening (balances imported from a file). Every public name is
importable from here.
"""

from inventory.services.lots import NewLot
from inventory.services.posting.adjustments import (
    adjustment_approve,
    adjustment_create,
    adjustment_reject,
)
from inventory.services.posting.checks import (
    ProposedHolding,
    issue_availability_check,
    proposed_breaches,
    storehouse_breaches,
)
from inventory.services.posting.kinds import (
    disposal_post,
    issue_post,
    move_post,
    receipt_post,
    return_post,
)
from inventory.services.posting.lines import MoveLine, Movement, ReceiptLine
from inventory.services.posting.lots import lot_child_create, lot_merge, lot_split
from inventory.services.posting.opening import (
    OpeningLine,
    opening_balances_post,
    opening_balances_refusal,
)
from inventory.services.posting.reversal import document_is_reversed
from inventory.services.posting.transfers import transfer_dispatch, transfer_receive
from inventory.services.posting.writer import document_number

__all__ = [
    "MoveLine",
    "Movement",
    "NewLot",
    "OpeningLine",
    "ProposedHolding",
    "ReceiptLine",
    "adjustment_approve",
    "adjustment_create",
    "adjustment_reject",
    "disposal_post",
    "document_is_reversed",
    "document_number",
    "issue_availability_check",
    "issue_post",
    "lot_child_create",
    "lot_merge",
    "lot_split",
    "move_post",
    "opening_balances_post",
    "opening_balances_refusal",
    "proposed_breaches",
    "receipt_post",
    "return_post",
    "storehouse_breaches",
    "transfer_dispatch",
    "transfer_receive",
]
