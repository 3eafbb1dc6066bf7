"""What the stockpile is. Split by concern; import models from here."""

from inventory.models.bans import Ban, BanKind
from inventory.models.counts import BlindCount
from inventory.models.depot import Depot, depot_code_validator
from inventory.models.freezes import DepotFreeze
from inventory.models.incidents import (
    INCIDENT_TRANSITIONS,
    Incident,
    IncidentDocument,
    IncidentKind,
    IncidentStatus,
)
from inventory.models.ledger import (
    Balance,
    ChainHead,
    ClosedPeriod,
    Document,
    DocumentCounter,
    DocumentSource,
    LedgerLine,
    LineSource,
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
    "INCIDENT_TRANSITIONS",
    "AmmunitionType",
    "Balance",
    "Ban",
    "BanKind",
    "BlindCount",
    "ChainHead",
    "ClosedPeriod",
    "ConditionCode",
    "Depot",
    "DepotFreeze",
    "Document",
    "DocumentCounter",
    "DocumentSource",
    "HazardCode",
    "Incident",
    "IncidentDocument",
    "IncidentKind",
    "IncidentStatus",
    "LedgerLine",
    "Licence",
    "LicenceLimit",
    "LineSource",
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
