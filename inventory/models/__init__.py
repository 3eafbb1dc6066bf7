"""What the stockpile is. Split by concern; import models from here."""

from inventory.models.counts import BlindCount
from inventory.models.depot import Depot, depot_code_validator
from inventory.models.ledger import (
    Balance,
    ChainHead,
    ClosedPeriod,
    Document,
    DocumentCounter,
    LedgerLine,
    Lot,
    PendingLine,
)
from inventory.models.reference import (
    AmmunitionType,
    ConditionCode,
    HazardCode,
    Licence,
    LicenceLimit,
    MixingCell,
    MixingMatrixVersion,
    PolicySetting,
    Recipient,
    Storehouse,
    Supplier,
    Waiver,
)
from inventory.models.reversals import ReversalProposal, ReversalProposalStatus

__all__ = [
    "AmmunitionType",
    "Balance",
    "BlindCount",
    "ChainHead",
    "ClosedPeriod",
    "ConditionCode",
    "Depot",
    "Document",
    "DocumentCounter",
    "HazardCode",
    "LedgerLine",
    "Licence",
    "LicenceLimit",
    "Lot",
    "MixingCell",
    "MixingMatrixVersion",
    "PendingLine",
    "PolicySetting",
    "Recipient",
    "ReversalProposal",
    "ReversalProposalStatus",
    "Storehouse",
    "Supplier",
    "Waiver",
    "depot_code_validator",
]
