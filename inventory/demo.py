"""Demo data for a first run: a small national stockpile. Idempotent: run it as often as you like.

What `seed()` loads (DESIGN.md §3 to §7):

- 3 depots and one user per role (README lists the logins);
- 8 storehouses of every kind across the depots, each under an explosive licence in force whose
  per-division limits leave a wide margin over what the demo ever holds;
- 25 ammunition types with legal UN hazard codes, NEQ per unit, units of issue, packaging and
  shelf lives; HD 1.2 types take the storage sub-division 1.2.1 or 1.2.2 that the policy
  threshold (PolicySetting "hd_1_2_threshold_kg", IATG 2021: 0.136 kg) gives their NEQ per item;
- a register of recipients: units, police, an agency and a training range (the range may receive
  restricted stock);
- a year of ledger history, **migrated from the depots' paper records**: every voucher is posted
  now through the posting service (so every rule of §4, §6 and §7 holds and the hash chains are
  real), dated `occurred_on` as on the paper voucher and referenced `PAPER-<depot>-<voucher>`.
  Opening balances, deliveries of new lots, issues, internal moves, transfers between depots (one
  received with a shortfall, one still in transit), returns (child lots in condition K in the
  quarantine store, awaiting the inspector's classification), an approved and a pending
  adjustment, a lot split condemning part of a lot into quarantine, and a reversal of a receipt
  keyed twice. Suspect (D) and condemned (H) lots are kept in D01's quarantine store, apart from
  serviceable stock (rule 2). Some lots are near expiry, one has just expired.

The apps built on inventory add their own parts of the year through `chapters` (surveillance:
surveillance/demo.py): each schedules its events on the same timeline (`History.at`) before the
year is loaded, so that its records fall between the vouchers of their day. inventory imports none
of them: the top `demo` app passes them in (demo/seeding.py).

The paper vouchers are older than the backdating policy allows (PolicySetting "backdate_days",
DESIGN.md §7): inside the seeding transaction the policy is raised for the migration and restored
before the transaction commits, both changes recorded in the policy's history.

Reference data is matched by code and created only when missing; the history is loaded only when
the demo depots have no document yet, so a second run posts nothing. Everything is relative to
today (dates of manufacture, vouchers, licences), so the demo looks the same whenever it is loaded.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services import user_upsert
from core.roles import Role
from inventory import policy, reference_data
from inventory.models import (
    AmmunitionType,
    Balance,
    ConditionCode,
    Depot,
    Document,
    HazardCode,
    Licence,
    Lot,
    MixingCell,
    MixingMatrixVersion,
    PolicySetting,
    Recipient,
    Storehouse,
    Waiver,
)
from inventory.models.ledger import AdjustmentReason
from inventory.models.reference import Availability, WaiverRule
from inventory.rules import suggest_hazard_subdivision_1_2
from inventory.services import posting, reversals
from inventory.services.lots import NewLot, add_months, lot_find
from inventory.services.reference import (
    ammunition_type_create,
    licence_create,
    recipient_create,
    storehouse_create,
    waiver_create,
)

DEMO_DEPOTS = [
    ("D01", "Northern Central Ammunition Depot", "North"),
    ("D02", "Lakeside Ammunition Depot", "North"),
    ("D03", "Southern Field Ammunition Depot", "South"),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[Role, ...]
    depot_codes: tuple[str, ...] = ()


DEMO_USERS = [
    DemoUser("clerk", "Amina", "Clerk", (Role.CLERK,), ("D01",)),
    DemoUser("clerk2", "Jonas", "Clerk", (Role.CLERK,), ("D02",)),
    DemoUser("inspector", "Ravi", "Inspector", (Role.INSPECTOR,), ("D01",)),
    DemoUser("officer", "Sofia", "Officer", (Role.OFFICER,)),
    DemoUser("auditor", "Mateo", "Auditor", (Role.AUDITOR,)),
    DemoUser("admin", "Grace", "Admin", (Role.ADMIN,)),
]

# Who keys the vouchers of each depot: its clerk; D03 has none, so the administrator does.
DEPOT_POSTERS = {"D01": "clerk", "D02": "clerk2", "D03": "admin"}

LICENSING_AUTHORITY = "National Explosives Licensing Authority"


# --- Storehouses and licences -------------------------------------------------------------------


@dataclass(frozen=True)
class DemoStorehouse:
    depot: str
    code: str
    name: str
    kind: str
    limits: dict[str, str | None]  # division -> max NEQ kg (None: unlimited); absent: refused
    # A designated quarantine store: an isolation waiver (rule 2) lets suspect and condemned
    # lots of different types share it, each in its own bay.
    quarantine: bool = False

    @property
    def key(self) -> str:
        return f"{self.depot}/{self.code}"


DEMO_STOREHOUSES = [
    DemoStorehouse(
        "D01",
        "ECM-01",
        "Earth-covered magazine 1 (HE ammunition)",
        "earth_covered_magazine",
        {"1.1": "15000", "1.2.1": "15000", "1.2.2": "5000", "1.3": "5000", "1.4": None},
    ),
    DemoStorehouse(
        "D01",
        "SAA-02",
        "Small arms and pyrotechnics store",
        "above_ground_storehouse",
        {"1.4": None},
    ),
    DemoStorehouse(
        "D01", "DET-03", "Detonator and fuze store", "container", {"1.1": "100", "1.4": None}
    ),
    DemoStorehouse(
        "D01",
        "QUA-04",
        "Quarantine store (suspect and condemned stock)",
        "container",
        {"1.1": "500", "1.2.1": "500", "1.2.2": "100", "1.3": "100", "1.4": None},
        quarantine=True,
    ),
    DemoStorehouse(
        "D02",
        "ECM-01",
        "Earth-covered magazine 1 (artillery and demolition stores)",
        "earth_covered_magazine",
        {"1.1": "25000", "1.2.1": "25000", "1.2.2": "2000", "1.3": "6000", "1.4": None},
    ),
    DemoStorehouse(
        "D02",
        "PYR-02",
        "Pyrotechnics and small arms store",
        "above_ground_storehouse",
        {"1.3": "600", "1.4": None},
    ),
    DemoStorehouse(
        "D03",
        "ECM-01",
        "Earth-covered magazine 1",
        "earth_covered_magazine",
        {"1.1": "5000", "1.2.1": "5000", "1.2.2": "1000", "1.3": "1000", "1.4": None},
    ),
    DemoStorehouse(
        "D03",
        "OSS-02",
        "Open stack site 2 (small arms and hand grenades, under cover)",
        "open_stack",
        {"1.1": "500", "1.4": None},
    ),
]


# --- Ammunition types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoType:
    code: str
    name: str
    category: str
    calibre: str
    division: str  # "1.2" is sub-divided by the policy threshold on NEQ per item
    group: str
    neq: str  # kg per unit
    unit: str
    pack: int  # units per package: issues are whole packages
    packaging: str
    shelf_life_months: int | None
    contains_propellant: bool = False
    shaped_charge: bool = False


DEMO_TYPES = [
    # Small arms ammunition: 1.4S, NEQ = propellant per cartridge.
    DemoType("SAA-762X39-BALL", "Cartridge 7.62 × 39 mm ball (M43, PS)", "small_arms",
             "7.62 × 39 mm", "1.4", "S", "0.0016", "round", 1440,
             "1,440 rounds per wooden case (2 sealed tins of 720)", 300, True),
    DemoType("SAA-556-BALL", "Cartridge 5.56 × 45 mm ball (SS109)", "small_arms",
             "5.56 × 45 mm", "1.4", "S", "0.0017", "round", 840,
             "840 rounds in bandoliers per M2A1 can", 300, True),
    DemoType("SAA-762X54R-LPS", "Cartridge 7.62 × 54 mm R ball (LPS)", "small_arms",
             "7.62 × 54 mm R", "1.4", "S", "0.0031", "round", 880,
             "880 rounds per wooden case (2 sealed tins of 440)", 300, True),
    DemoType("SAA-127X108-API", "Cartridge 12.7 × 108 mm API (B-32), linked", "small_arms",
             "12.7 × 108 mm", "1.4", "S", "0.0170", "round", 80,
             "80 linked rounds per sealed tin", 300, True),
    DemoType("SAA-9X19-BALL", "Cartridge 9 × 19 mm ball", "small_arms", "9 × 19 mm",
             "1.4", "S", "0.00035", "round", 1000, "1,000 rounds per carton (20 boxes of 50)",
             240, True),
    DemoType("SAA-12G-BUCK", "Cartridge 12 gauge 00 buckshot", "small_arms", "12 gauge",
             "1.4", "S", "0.0019", "round", 250, "250 rounds per carton (25 boxes of 10)",
             180, True),
    # Mortar, cannon and grenade-launcher ammunition: 1.2E.
    DemoType("MOR-82-HE", "Bomb, mortar, 82 mm HE (O-832DU), with ignition cartridge",
             "mortar", "82 mm", "1.2", "E", "0.520", "bomb", 10,
             "10 bombs per wooden box, fuzes packed separately", 300, True),
    DemoType("MOR-60-HE", "Bomb, mortar, 60 mm HE (M720 pattern)", "mortar", "60 mm",
             "1.2", "E", "0.220", "bomb", 12, "12 bombs per box (4 fibre containers of 3)",
             300, True),
    DemoType("CAN-23-HEI", "Cartridge 23 × 152 mm B HEI-T (ZU-23-2)", "artillery",
             "23 × 152 mm B", "1.2", "E", "0.093", "round", 42, "42 linked rounds per box",
             300, True),
    DemoType("GL-40-HE", "Grenade, 40 mm HE (VOG-25), caseless", "grenade", "40 mm",
             "1.2", "E", "0.048", "grenade", 20, "20 grenades per sealed tin", 240, True),
    # Artillery, rockets and grenades: 1.1E and 1.1F.
    DemoType("ART-122-HE", "Cartridge 122 mm HE (OF-462), D-30, with propelling charge",
             "artillery", "122 mm", "1.1", "E", "6.200", "round", 2,
             "2 rounds per wooden box, fuzes packed separately", 360, True),
    DemoType("ART-152-HE", "Cartridge 152 mm HE (OF-540), D-20, with propelling charge",
             "artillery", "152 mm", "1.1", "E", "9.800", "round", 1,
             "1 projectile and cartridge case per box", 360, True),
    DemoType("RKT-PG7V-HEAT", "Grenade, rocket, 85/40 mm HEAT (PG-7V), for RPG-7", "rocket",
             "40 mm", "1.1", "E", "0.560", "grenade", 6,
             "6 grenades and 6 booster charges per box", 300, True, True),
    DemoType("HG-F1-FUZED", "Grenade, hand, fragmentation F1, fuzed (UZRGM)", "grenade", "",
             "1.1", "F", "0.060", "grenade", 20, "20 grenades per box, fuzes fitted",
             300),
    # Demolition stores: 1.1D.
    DemoType("DEM-TNT-200", "Charge, demolition, TNT block 200 g", "demolition", "",
             "1.1", "D", "0.200", "block", 50, "50 blocks per wooden case", 360),
    DemoType("DEM-PE-500", "Charge, demolition, plastic explosive block 0.5 kg", "demolition",
             "", "1.1", "D", "0.500", "block", 24, "24 blocks per carton", 240),
    DemoType("DEM-DETCORD", "Cord, detonating, 10 g/m PETN", "demolition", "", "1.1", "D",
             "0.010", "metre", 500, "2 reels of 250 m per carton", 240),
    DemoType("MINE-TM62M", "Mine, anti-tank, TM-62M, without fuze", "mine", "", "1.1", "D",
             "7.500", "mine", 1, "1 mine per crate", 360),
    # Initiators: 1.1B and 1.4B.
    DemoType("DET-ELEC-8", "Detonator, electric, No. 8, instantaneous", "initiator", "",
             "1.1", "B", "0.0011", "detonator", 100, "100 detonators per tin", 120),
    DemoType("FZ-RGM2", "Fuze, point detonating, RGM-2 (artillery)", "initiator", "",
             "1.1", "B", "0.030", "fuze", 12, "12 fuzes per sealed box", 300),
    DemoType("FZ-M6", "Fuze, point detonating, M-6 (82 mm mortar)", "initiator", "",
             "1.4", "B", "0.006", "fuze", 20, "20 fuzes per sealed box", 300),
    # Propelling charges: 1.3C.
    DemoType("CHG-152-RED", "Charge, propelling, 152 mm reduced (Zh-545), in cartridge case",
             "propellant", "152 mm", "1.3", "C", "3.100", "charge", 1,
             "1 charge per sealed case", 300, True),
    # Pyrotechnics: 1.3G and 1.4G.
    DemoType("PYR-FLARE-PARA", "Flare, hand-held, illuminating, parachute", "pyrotechnic", "",
             "1.3", "G", "0.090", "flare", 30, "30 flares per carton", 120),
    DemoType("PYR-SMOKE-RDG2", "Grenade, hand, smoke (RDG-2)", "pyrotechnic", "", "1.4", "G",
             "0.450", "grenade", 20, "20 grenades per box", 120),
    DemoType("PYR-SIG-26", "Cartridge, signal, 26 mm, assorted colours", "pyrotechnic",
             "26 mm", "1.4", "G", "0.012", "cartridge", 100, "100 cartridges per carton", 120),
]  # fmt: skip


# --- Recipients ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoRecipient:
    code: str
    name: str
    kind: str
    depot: str | None
    draws: frozenset[str]  # type codes or categories it is issued (demo history only)
    permitted_restricted: bool = False


_ARMY = frozenset({"small_arms", "mortar", "rocket", "grenade", "pyrotechnic"})

DEMO_RECIPIENTS = [
    DemoRecipient("1BDE", "1st Infantry Brigade", "unit", "D01", _ARMY),
    DemoRecipient("12ARTY", "12th Artillery Regiment", "unit", "D02",
                  frozenset({"artillery", "propellant", "FZ-RGM2", "SAA-762X39-BALL"})),
    DemoRecipient("5ENG", "5th Engineer Battalion", "unit", "D02",
                  frozenset({"demolition", "mine", "DET-ELEC-8", "SAA-556-BALL"})),
    DemoRecipient("3BDE", "3rd Infantry Brigade", "unit", "D03", _ARMY),
    DemoRecipient("POL-SPU", "National Police Special Unit", "police", "D01",
                  frozenset({"SAA-9X19-BALL", "SAA-12G-BUCK", "SAA-556-BALL", "PYR-SMOKE-RDG2"})),
    DemoRecipient("POL-BORDER-S", "Border Police, Southern District", "police", "D03",
                  frozenset({"SAA-762X39-BALL", "SAA-9X19-BALL", "PYR-SIG-26"})),
    DemoRecipient("HDC", "Humanitarian Demining Centre", "agency", "D02",
                  frozenset({"DEM-TNT-200", "DEM-DETCORD", "DET-ELEC-8"})),
    DemoRecipient("RANGE-C", "Central Training Range", "range", "D01",
                  frozenset({"small_arms", "mortar", "grenade", "pyrotechnic"}), True),
]  # fmt: skip


# --- Lots ---------------------------------------------------------------------------------------

# Manufacturers (fictional works) with the factory number they mark on their lots.
MAKERS = {
    "NORD": ("Arsenal Nord", "RO", "21"),
    "DANUBE": ("Danube Defence Works", "RS", "44"),
    "KESTREL": ("Kestrel Munitions", "GB", "KM"),
    "OST": ("Metallwerk Ost", "DE", "MWO"),
    "EOP": ("Eastern Ordnance Plant No. 10", "BG", "10"),
    "LAKE": ("Lakeshore Energetics", "CZ", "LE"),
}


@dataclass(frozen=True)
class DemoLot:
    key: str
    type_code: str
    maker: str
    number: int  # the lot's serial at its maker that year
    months_old: int  # made on the first day of the month this many months ago
    condition: str = "A"

    def manufactured_on(self, today: date) -> date:
        return add_months(today.replace(day=1), -self.months_old)

    def lot_number(self, today: date) -> str:
        factory = MAKERS[self.maker][2]
        return f"{factory}-{self.manufactured_on(today):%y}-{self.number:03d}"


def _near_expiry(type_code: str, months_left: int) -> int:
    """Months of age that leave a lot of this type `months_left` months of shelf life."""
    shelf = next(t.shelf_life_months for t in DEMO_TYPES if t.code == type_code)
    return shelf - months_left


DEMO_LOTS = [
    # D01 opening balances.
    DemoLot("82-A", "MOR-82-HE", "EOP", 14, 62),
    DemoLot("82-C", "MOR-82-HE", "EOP", 3, _near_expiry("MOR-82-HE", 9), "C"),
    DemoLot("60-A", "MOR-60-HE", "KESTREL", 118, 38),
    DemoLot("122-A", "ART-122-HE", "NORD", 7, 86),
    DemoLot("PG7-A", "RKT-PG7V-HEAT", "NORD", 22, 50),
    DemoLot("23-A", "CAN-23-HEI", "DANUBE", 31, 30),
    DemoLot("40-A", "GL-40-HE", "DANUBE", 12, 20),
    DemoLot("556-A", "SAA-556-BALL", "OST", 205, 26),
    DemoLot("762-A", "SAA-762X39-BALL", "EOP", 457, 122),
    DemoLot("762-B", "SAA-762X39-BALL", "DANUBE", 88, 201, "B"),
    DemoLot("54R-A", "SAA-762X54R-LPS", "EOP", 96, 70),
    DemoLot("9MM-A", "SAA-9X19-BALL", "OST", 512, 40),
    DemoLot("12G-A", "SAA-12G-BUCK", "KESTREL", 77, 28),
    DemoLot("127-A", "SAA-127X108-API", "NORD", 19, 64),
    DemoLot("SMK-A", "PYR-SMOKE-RDG2", "LAKE", 40, _near_expiry("PYR-SMOKE-RDG2", 3)),
    DemoLot("SIG-A", "PYR-SIG-26", "LAKE", 9, _near_expiry("PYR-SIG-26", -1)),
    DemoLot("DET-A", "DET-ELEC-8", "LAKE", 63, 30),
    DemoLot("FZM6-A", "FZ-M6", "EOP", 29, 60),
    DemoLot("RGM2-A", "FZ-RGM2", "NORD", 11, 72),
    # D02 opening balances.
    DemoLot("152-A", "ART-152-HE", "NORD", 4, 110),
    DemoLot("CHG-A", "CHG-152-RED", "NORD", 5, 98),
    DemoLot("TNT-A", "DEM-TNT-200", "EOP", 71, 80),
    DemoLot("PE-A", "DEM-PE-500", "KESTREL", 6, 44),
    DemoLot("CORD-A", "DEM-DETCORD", "LAKE", 24, 36),
    DemoLot("TM62-A", "MINE-TM62M", "DANUBE", 2, 130),
    DemoLot("82-D2", "MOR-82-HE", "DANUBE", 41, 54),
    DemoLot("FLR-A", "PYR-FLARE-PARA", "LAKE", 17, 42),
    DemoLot("SIG-B", "PYR-SIG-26", "LAKE", 33, 14),
    DemoLot("SMK-B", "PYR-SMOKE-RDG2", "LAKE", 52, 22),
    DemoLot("762-D2", "SAA-762X39-BALL", "EOP", 501, 58),
    DemoLot("9MM-D2", "SAA-9X19-BALL", "OST", 530, 30),
    # D03 opening balances.
    DemoLot("82-D3", "MOR-82-HE", "DANUBE", 43, 52),
    DemoLot("60-D3", "MOR-60-HE", "KESTREL", 121, 36),
    DemoLot("40-D3", "GL-40-HE", "DANUBE", 15, 18),
    DemoLot("PG7-D3", "RKT-PG7V-HEAT", "NORD", 25, 47),
    DemoLot("TNT-D3", "DEM-TNT-200", "EOP", 72, 79),
    DemoLot("762-D3", "SAA-762X39-BALL", "EOP", 503, 57),
    DemoLot("54R-D3", "SAA-762X54R-LPS", "EOP", 99, 69),
    DemoLot("F1-A", "HG-F1-FUZED", "DANUBE", 8, 75),
    # Delivered during the year.
    DemoLot("152-N", "ART-152-HE", "NORD", 2, 10),
    DemoLot("F1-N", "HG-F1-FUZED", "DANUBE", 3, 9),
    DemoLot("762-N", "SAA-762X39-BALL", "EOP", 118, 7),
    DemoLot("FLR-N", "PYR-FLARE-PARA", "LAKE", 6, 6),
    DemoLot("40-N", "GL-40-HE", "DANUBE", 9, 4),
    DemoLot("9MM-N", "SAA-9X19-BALL", "KESTREL", 88, 1),
    # Suspect and condemned stock, received straight into quarantine.
    DemoLot("127-D", "SAA-127X108-API", "DANUBE", 61, 150, "D"),
    DemoLot("762-H", "SAA-762X39-BALL", "EOP", 12, 260, "H"),
]

# Opening balances brought forward from the paper ledgers: (lot, storehouse, quantity).
OPENING_BALANCES = {
    "D01": [
        ("82-A", "ECM-01", 1800), ("82-C", "ECM-01", 600), ("60-A", "ECM-01", 1200),
        ("122-A", "ECM-01", 900), ("PG7-A", "ECM-01", 360), ("23-A", "ECM-01", 8400),
        ("40-A", "ECM-01", 2000), ("556-A", "ECM-01", 33600),
        ("762-A", "SAA-02", 144000), ("762-B", "SAA-02", 28800), ("54R-A", "SAA-02", 35200),
        ("9MM-A", "SAA-02", 60000), ("12G-A", "SAA-02", 10000), ("127-A", "SAA-02", 4800),
        ("SMK-A", "SAA-02", 400), ("SIG-A", "SAA-02", 1000),
        ("DET-A", "DET-03", 5000), ("FZM6-A", "DET-03", 2400), ("RGM2-A", "DET-03", 600),
    ],
    "D02": [
        ("152-A", "ECM-01", 600), ("CHG-A", "ECM-01", 400), ("TNT-A", "ECM-01", 4000),
        ("PE-A", "ECM-01", 960), ("CORD-A", "ECM-01", 10000), ("TM62-A", "ECM-01", 240),
        ("82-D2", "ECM-01", 1000),
        ("FLR-A", "PYR-02", 2400), ("SIG-B", "PYR-02", 2000), ("SMK-B", "PYR-02", 600),
        ("762-D2", "PYR-02", 72000), ("9MM-D2", "PYR-02", 20000),
    ],
    "D03": [
        ("82-D3", "ECM-01", 800), ("60-D3", "ECM-01", 600), ("40-D3", "ECM-01", 1000),
        ("PG7-D3", "ECM-01", 240), ("TNT-D3", "ECM-01", 1000), ("762-D3", "ECM-01", 50400),
        ("54R-D3", "OSS-02", 17600), ("F1-A", "OSS-02", 2000),
    ],
}  # fmt: skip

HISTORY_DAYS = 365  # the opening balances are dated this many days ago
ISSUE_PURPOSES = {
    "unit": ["Annual live-firing training", "Operational stock replenishment", "Field exercise"],
    "police": ["Duty ammunition replenishment", "Qualification shooting"],
    "range": ["Range practice allocation", "Instructor training"],
    "agency": ["Destruction of explosive remnants of war"],
}


# --- Seeding ------------------------------------------------------------------------------------


@dataclass
class SeedSummary:
    users: list[DemoUser]
    accounts: dict[str, User] = field(default_factory=dict)  # username -> the demo user's account
    kept: list[str] = field(default_factory=list)  # demo user names that existed: untouched
    storehouses: int = 0
    licences: int = 0
    ammunition_types: int = 0
    recipients: int = 0
    history_loaded: bool = False
    documents: int = 0
    lots: int = 0
    notes: list[str] = field(default_factory=list)


# A part of the year that an app built on inventory adds: it schedules its events on the history
# before the year is loaded and returns its notes for the summary.
Chapter = Callable[..., list[str]]


@transaction.atomic
def seed(*, password: str, chapters: Sequence[Chapter] = ()) -> SeedSummary:
    """Load the demo stockpile and, when its depots have no document yet, the year of history
    with the `chapters` of the apps above (each called as `chapter(history=...)`)."""
    reference_data.load(
        HazardCode=HazardCode,
        ConditionCode=ConditionCode,
        MixingMatrixVersion=MixingMatrixVersion,
        MixingCell=MixingCell,
        PolicySetting=PolicySetting,
    )
    depots = {}
    for code, name, region in DEMO_DEPOTS:
        # get_or_create, not update_or_create: a re-run must not add history rows.
        depots[code], _ = Depot.objects.get_or_create(
            code=code, defaults={"name": name, "region": region}
        )
    users = {}
    kept = []
    for demo in DEMO_USERS:
        existing = User.objects.filter(username=demo.username).first()
        if existing is not None:
            # Never touch an account that exists: not its password (an 'admin' reset to the
            # demo password is a way in), nor its roles, depots or vetting record.
            users[demo.username] = existing
            kept.append(demo.username)
            continue
        users[demo.username] = user_upsert(
            username=demo.username,
            password=password,
            roles=demo.roles,
            depot_ids=[depots[code].pk for code in demo.depot_codes],
            first_name=demo.first_name,
            last_name=demo.last_name,
            # Vetted for a year from the day of seeding (settings.VETTING_REQUIRED).
            vetting=("security", timezone.localdate() + timedelta(days=365), "DEMO-VET"),
        )
    today = timezone.localdate()
    admin = users["admin"]
    storehouses = _storehouses(depots, admin, today)
    types = _types(admin)
    recipients = _recipients(depots, users["officer"])
    summary = SeedSummary(
        users=DEMO_USERS,
        accounts=users,
        kept=kept,
        storehouses=len(storehouses),
        licences=Licence.objects.filter(storehouse__in=storehouses.values()).count(),
        ammunition_types=len(types),
        recipients=len(recipients),
    )
    if Document.objects.filter(depot__in=depots.values()).exists():
        summary.notes.append("The demo depots already have documents: no history was added.")
    else:
        history = History(
            today=today,
            depots=depots,
            users=users,
            storehouses=storehouses,
            types=types,
            recipients=recipients,
        )
        with _backdating(HISTORY_DAYS + 1, admin):
            summary.notes.extend(history.load(chapters))
        summary.history_loaded = True
    summary.documents = Document.objects.filter(depot__in=depots.values()).count()
    summary.lots = Lot.objects.filter(balances__depot__in=depots.values()).distinct().count()
    return summary


def _storehouses(depots, admin: User, today: date) -> dict[str, Storehouse]:
    found = {}
    valid_from, valid_until = date(today.year - 2, 1, 1), date(today.year + 2, 12, 31)
    for spec in DEMO_STOREHOUSES:
        depot = depots[spec.depot]
        storehouse = Storehouse.objects.filter(depot=depot, code=spec.code).first()
        if storehouse is None:
            storehouse = storehouse_create(
                depot=depot, code=spec.code, name=spec.name, kind=spec.kind, created_by=admin
            )
        if not Licence.objects.filter(storehouse=storehouse).exists():
            licence_create(
                storehouse=storehouse,
                number=f"EL/{spec.depot}/{spec.code}/{valid_from.year}",
                issuing_authority=LICENSING_AUTHORITY,
                valid_from=valid_from,
                valid_until=valid_until,
                limits={
                    division: None if limit is None else Decimal(limit)
                    for division, limit in spec.limits.items()
                },
                created_by=admin,
            )
        if (
            spec.quarantine
            and not Waiver.objects.filter(storehouse=storehouse, rule=WaiverRule.ISOLATION).exists()
        ):
            waiver_create(
                storehouse=storehouse,
                rule=WaiverRule.ISOLATION,
                reason=(
                    "Designated quarantine store: suspect and condemned lots are held here apart "
                    "from serviceable stock, each lot in its own marked bay."
                ),
                authority_reference=f"QS/{spec.depot}/{valid_from.year}",
                expires_on=valid_until,
                recorded_by=admin,
            )
        found[spec.key] = storehouse
    return found


def _types(admin: User) -> dict[str, AmmunitionType]:
    threshold = policy.hd_1_2_threshold_kg()
    existing = AmmunitionType.objects.in_bulk([t.code for t in DEMO_TYPES], field_name="code")
    found = {}
    for spec in DEMO_TYPES:
        kind = existing.get(spec.code)
        if kind is None:
            neq = Decimal(spec.neq)
            division = spec.division
            if division == "1.2":
                division = suggest_hazard_subdivision_1_2(neq, threshold)
            kind = ammunition_type_create(
                code=spec.code,
                name=spec.name,
                category=spec.category,
                calibre=spec.calibre,
                hazard_division=division,
                compatibility_group=spec.group,
                neq_per_unit_kg=neq,
                unit=spec.unit,
                packaging=spec.packaging,
                shelf_life_months=spec.shelf_life_months,
                contains_propellant=spec.contains_propellant,
                shaped_charge=spec.shaped_charge,
                created_by=admin,
            )
        found[spec.code] = kind
    return found


def _recipients(depots, officer: User) -> dict[str, Recipient]:
    existing = Recipient.objects.in_bulk([r.code for r in DEMO_RECIPIENTS], field_name="code")
    found = {}
    for spec in DEMO_RECIPIENTS:
        recipient = existing.get(spec.code)
        if recipient is None:
            recipient = recipient_create(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                depot=depots[spec.depot] if spec.depot else None,
                permitted_restricted=spec.permitted_restricted,
                created_by=officer,
            )
        found[spec.code] = recipient
    return found


@contextmanager
def _backdating(days: int, admin: User):
    """Let the posting service accept vouchers `days` old while the paper records are migrated,
    then put the national policy back as it was (both changes kept in the policy history)."""
    setting = PolicySetting.objects.select_for_update().filter(key="backdate_days").first()
    created = setting is None
    if created:
        setting = PolicySetting(key="backdate_days", description="")
        previous = None
    else:
        previous = setting.value
    setting.value = max(days, policy.backdate_days())
    setting._history_user = admin
    setting._change_reason = "Demo: migrating a year of paper records"
    setting.save()
    try:
        yield
    finally:
        if created:
            setting.delete()
        else:
            setting.value = previous
            setting._change_reason = "Demo: paper records migrated, policy restored"
            setting.save()


Event = Callable[[], None]


class History:
    """A year of vouchers, posted in date order through the posting service. The chapters of the
    apps above schedule their events on it too (`at`, `move`) and read what it has posted so far
    (`lots`, `documents`)."""

    def __init__(self, *, today, depots, users, storehouses, types, recipients):
        self.today = today
        self.depots = depots
        self.users = users
        self.storehouses = storehouses
        self.types = types
        self.recipients = recipients
        self.rng = random.Random(20240601)  # noqa: S311 (the same demo every time; not crypto)
        self.events: list[tuple[int, int, int, Event]] = []
        self.lots: dict[str, Lot] = {}
        self.documents: dict[str, Document] = {}
        self.voucher: dict[str, int] = dict.fromkeys(depots, 0)
        self.lot_specs = {spec.key: spec for spec in DEMO_LOTS}
        self.pack = {spec.code: spec.pack for spec in DEMO_TYPES}
        self.categories = {spec.code: spec.category for spec in DEMO_TYPES}
        # Lots kept out of routine issues: the stock the scheduled vouchers below rely on.
        self.reserved: set[str] = {"9MM-N"}

    # Helpers

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def at(self, days_ago: int, event: Event, *, routine: bool = False) -> None:
        self.events.append((-days_ago, int(routine), len(self.events), event))

    def poster(self, depot: str) -> User:
        return self.users[DEPOT_POSTERS[depot]]

    def reference(self, depot: str) -> str:
        self.voucher[depot] += 1
        return f"PAPER-{depot}-{self.voucher[depot]:04d}"

    def sh(self, depot: str, code: str) -> Storehouse:
        return self.storehouses[f"{depot}/{code}"]

    def lot_line(self, key: str, depot: str, storehouse: str, quantity: int):
        """A receipt line: the lot if known, else the lot as marked (created by the posting)."""
        if key in self.lots:
            lot: int | NewLot = self.lots[key].pk
        else:
            spec = self.lot_specs[key]
            maker, country, _factory = MAKERS[spec.maker]
            lot = NewLot(
                ammunition_type_id=self.types[spec.type_code].pk,
                manufacturer=maker,
                lot_number=spec.lot_number(self.today),
                manufactured_on=spec.manufactured_on(self.today),
                condition=spec.condition,
                country_of_manufacture=country,
            )
        return posting.ReceiptLine(lot, self.sh(depot, storehouse).pk, quantity)

    def remember_lots(self, keys) -> None:
        for key in keys:
            if key in self.lots:
                continue
            spec = self.lot_specs[key]
            self.lots[key] = lot_find(
                ammunition_type_id=self.types[spec.type_code].pk,
                manufacturer=MAKERS[spec.maker][0],
                lot_number=spec.lot_number(self.today),
            )

    def movement(self, key: str, depot: str, storehouse: str, quantity: int) -> posting.Movement:
        return posting.Movement(self.lots[key].pk, self.sh(depot, storehouse).pk, quantity)

    # Voucher kinds

    def receipt(self, days_ago, depot, lines, counterparty, *, name=None):
        def post():
            document = posting.receipt_post(
                depot=self.depots[depot],
                lines=[self.lot_line(key, depot, sh, qty) for key, sh, qty in lines],
                occurred_on=self.day(days_ago),
                posted_by=self.poster(depot),
                counterparty=counterparty,
                reference=self.reference(depot),
            )
            self.remember_lots(key for key, _sh, _qty in lines)
            if name:
                self.documents[name] = document

        self.at(days_ago, post)

    def issue(self, days_ago, depot, recipient, lines, purpose, *, name=None):
        def post():
            document = posting.issue_post(
                depot=self.depots[depot],
                lines=[self.movement(key, depot, sh, qty) for key, sh, qty in lines],
                recipient=self.recipients[recipient],
                occurred_on=self.day(days_ago),
                posted_by=self.poster(depot),
                purpose=purpose,
                reference=self.reference(depot),
            )
            if name:
                self.documents[name] = document

        self.at(days_ago, post)

    def on_hand(self, key: str, depot: str, storehouse: str) -> int:
        balance = Balance.objects.filter(
            lot=self.lots[key], storehouse=self.sh(depot, storehouse)
        ).first()
        return balance.quantity if balance else 0

    def move(self, days_ago, depot, lines):
        """Internal moves; a quantity of None moves everything on hand."""

        def post():
            posting.move_post(
                depot=self.depots[depot],
                lines=[
                    posting.MoveLine(
                        self.lots[key].pk,
                        self.sh(depot, src).pk,
                        self.sh(depot, dst).pk,
                        self.on_hand(key, depot, src) if qty is None else qty,
                    )
                    for key, src, dst, qty in lines
                ],
                occurred_on=self.day(days_ago),
                posted_by=self.poster(depot),
                reference=self.reference(depot),
            )

        self.at(days_ago, post)

    def transfer(self, days_ago, depot, destination, lines, *, received=None):
        """Dispatch; `received` = (days_ago, [(lot, storehouse, quantity)]) receives it."""

        def dispatch():
            document = posting.transfer_dispatch(
                depot=self.depots[depot],
                destination_depot=self.depots[destination],
                lines=[self.movement(key, depot, sh, qty) for key, sh, qty in lines],
                occurred_on=self.day(days_ago),
                posted_by=self.poster(depot),
                reference=self.reference(depot),
            )
            self.documents[f"transfer-{depot}-{destination}-{days_ago}"] = document

        self.at(days_ago, dispatch)
        if received is None:
            return
        received_ago, received_lines = received

        def receive():
            posting.transfer_receive(
                transfer=self.documents[f"transfer-{depot}-{destination}-{days_ago}"],
                lines=[self.movement(key, destination, sh, qty) for key, sh, qty in received_lines],
                occurred_on=self.day(received_ago),
                posted_by=self.poster(destination),
                reference=self.reference(destination),
            )

        self.at(received_ago, receive)

    # The year

    def load(self, chapters: Sequence[Chapter] = ()) -> list[str]:
        """Schedule the vouchers, then each chapter's events, then the routine issues (drawn
        from what is left on the day), and run them all in date order; returns the chapters'
        notes."""
        self.schedule()
        notes = [note for chapter in chapters for note in chapter(history=self)]
        self.routine_issues()
        for _order, _routine, _seq, event in sorted(self.events, key=lambda e: e[:3]):
            event()
        return notes

    def schedule(self) -> None:
        opening = "Opening balance brought forward from the paper stock ledger"
        for index, (depot, lines) in enumerate(OPENING_BALANCES.items()):
            self.receipt(HISTORY_DAYS - index, depot, lines, opening)
        # Small arms out of the HE magazine once the new racking is in.
        self.move(300, "D01", [("556-A", "ECM-01", "SAA-02", None)])
        self.receipt(270, "D02", [("152-N", "ECM-01", 300)], MAKERS["NORD"][0])
        self.receipt(240, "D03", [("F1-N", "OSS-02", 1000)], MAKERS["DANUBE"][0])
        # D01 -> D02: one tin of 720 rounds missing on arrival (transit discrepancy).
        self.transfer(
            210,
            "D01",
            "D02",
            [("122-A", "ECM-01", 300), ("762-A", "SAA-02", 20160)],
            received=(206, [("122-A", "ECM-01", 300), ("762-A", "PYR-02", 19440)]),
        )
        self.receipt(180, "D01", [("762-N", "SAA-02", 72000)], MAKERS["EOP"][0])
        self.receipt(150, "D02", [("FLR-N", "PYR-02", 1200)], MAKERS["LAKE"][0])
        # D01 -> D03: received in full.
        self.transfer(
            150,
            "D01",
            "D03",
            [("82-A", "ECM-01", 400)],
            received=(147, [("82-A", "ECM-01", 400)]),
        )
        # An exercise: 1st Brigade draws, and returns what it did not fire.
        self.issue(
            120,
            "D01",
            "1BDE",
            [("82-A", "ECM-01", 200), ("762-A", "SAA-02", 14400)],
            "Brigade field exercise NORTHERN SHIELD",
            name="exercise",
        )
        self.at(112, self.exercise_return)
        self.issue(
            100,
            "D01",
            "RANGE-C",
            [("762-B", "SAA-02", 2880)],
            "Range practice (restricted lot: training use only)",
        )
        self.receipt(90, "D01", [("40-N", "ECM-01", 1000)], MAKERS["DANUBE"][0])
        self.at(85, self.condemn_part_of_lot)
        self.at(75, self.damaged_case)
        self.at(50, self.police_return)
        self.receipt(
            60,
            "D01",
            [("762-H", "QUA-04", 3600)],
            "National Police weapons collection programme (condemned, awaiting disposal)",
        )
        self.receipt(
            45,
            "D01",
            [("127-D", "QUA-04", 1600)],
            "Donor state delivery: links corroded, awaiting relinking",
        )
        self.at(30, self.found_case)
        self.receipt(20, "D01", [("9MM-N", "SAA-02", 20000)], MAKERS["KESTREL"][0])
        self.receipt(19, "D01", [("9MM-N", "SAA-02", 20000)], MAKERS["KESTREL"][0], name="dup")
        self.move(12, "D03", [("762-D3", "ECM-01", "OSS-02", None)])
        # D02 -> D03: still on the road.
        self.transfer(4, "D02", "D03", [("TNT-A", "ECM-01", 500)])
        self.at(3, self.count_variance)
        self.at(0, self.reverse_duplicate)

    def exercise_return(self) -> None:
        """What 1st Brigade did not fire comes back as child lots in condition K (returns
        awaiting classification, DESIGN.md §6), into the quarantine store (rule 2)."""
        document = posting.return_post(
            depot=self.depots["D01"],
            lines=[
                self.movement("82-A", "D01", "QUA-04", 30),
                self.movement("762-A", "D01", "QUA-04", 2880),
            ],
            recipient=self.recipients["1BDE"],
            source_issue=self.documents["exercise"],
            occurred_on=self.day(112),
            posted_by=self.poster("D01"),
            reference=self.reference("D01"),
        )
        self.documents["exercise-return"] = document

    def police_return(self) -> None:
        """Qualification shooting cut short: the police bring back two cartons (issue unknown).
        They wait in quarantine, in condition K, for the inspector's classification."""
        posting.return_post(
            depot=self.depots["D01"],
            lines=[self.movement("9MM-A", "D01", "QUA-04", 2000)],
            recipient=self.recipients["POL-SPU"],
            occurred_on=self.day(50),
            posted_by=self.poster("D01"),
            reference=self.reference("D01"),
        )

    def condemn_part_of_lot(self) -> None:
        """The inspector condemns 40 bombs of a lot (corroded fins); they go to quarantine."""
        child = posting.lot_split(
            lot=self.lots["82-A"],
            quantities={self.sh("D01", "ECM-01").pk: 40},
            suffix="/1",
            condition="H",
            occurred_on=self.day(85),
            posted_by=self.users["inspector"],
            reason="Periodic inspection: 40 bombs with corroded fins and exuding fillings.",
        )
        self.lots["82-A/1"] = child
        posting.move_post(
            depot=self.depots["D01"],
            lines=[
                posting.MoveLine(
                    child.pk, self.sh("D01", "ECM-01").pk, self.sh("D01", "QUA-04").pk, 40
                )
            ],
            occurred_on=self.day(85),
            posted_by=self.poster("D01"),
            reference=self.reference("D01"),
        )

    def damaged_case(self) -> None:
        document = posting.adjustment_create(
            depot=self.depots["D01"],
            lines=[self.movement("54R-A", "D01", "SAA-02", -440)],
            reason=AdjustmentReason.DAMAGED,
            occurred_on=self.day(75),
            posted_by=self.poster("D01"),
            note="One tin holed by a forklift; 440 rounds water-damaged, sent for destruction.",
        )
        posting.adjustment_approve(document=document, approved_by=self.users["inspector"])

    def found_case(self) -> None:
        document = posting.adjustment_create(
            depot=self.depots["D02"],
            lines=[self.movement("TNT-A", "D02", "ECM-01", 50)],
            reason=AdjustmentReason.FOUND,
            occurred_on=self.day(30),
            posted_by=self.poster("D02"),
            note="Stock check: one case of 50 blocks found behind a stack, lot marking legible.",
        )
        posting.adjustment_approve(document=document, approved_by=self.users["admin"])

    def count_variance(self) -> None:
        posting.adjustment_create(
            depot=self.depots["D01"],
            lines=[self.movement("9MM-A", "D01", "SAA-02", -24)],
            reason=AdjustmentReason.COUNT_VARIANCE,
            occurred_on=self.day(3),
            posted_by=self.poster("D01"),
            note="Monthly sample count: 24 rounds short in an opened carton. For approval.",
        )

    def reverse_duplicate(self) -> None:
        """Reversing a receipt takes stock off the books: the clerk proposes, the inspector
        approves."""
        proposal = reversals.document_reverse(
            document=self.documents["dup"],
            reason="Waybill keyed twice when the paper vouchers were migrated.",
            posted_by=self.poster("D01"),
        )
        reversals.reversal_approve(proposal=proposal, approved_by=self.users["inspector"])

    # Routine issues: two or three a month per depot, to the recipients that draw from it.

    def routine_issues(self) -> None:
        for depot in self.depots:
            for month in range(12):
                for _ in range(self.rng.randint(2, 3)):
                    days_ago = month * 30 + self.rng.randint(1, 29)
                    self.at(days_ago, self.routine_issue(depot, days_ago), routine=True)

    def routine_issue(self, depot: str, days_ago: int) -> Event:
        recipients = [
            spec for spec in DEMO_RECIPIENTS if spec.depot == depot or (spec.depot is None)
        ]
        spec = self.rng.choice(recipients)
        choice = self.rng.random()
        lines_wanted = 1 if choice < 0.7 else 2
        purpose = self.rng.choice(ISSUE_PURPOSES[spec.kind])

        def post():
            on = self.day(days_ago)
            issuable = {Availability.ISSUABLE} | (
                {Availability.RESTRICTED} if spec.permitted_restricted else set()
            )
            conditions = list(
                ConditionCode.objects.filter(availability__in=issuable).values_list(
                    "code", flat=True
                )
            )
            reserved = [self.lots[key].pk for key in self.reserved if key in self.lots]
            candidates = list(
                Balance.objects.filter(
                    depot=self.depots[depot],
                    quantity__gt=0,
                    lot__condition__in=conditions,
                    lot__identity_lost=False,
                )
                .exclude(storehouse__code="QUA-04")
                .exclude(lot_id__in=reserved)
                .exclude(lot__expires_on__lt=on)
                .annotate(type_code=F("lot__ammunition_type__code"))
                .order_by("lot__lot_number", "storehouse__code")
                .values_list("lot_id", "storehouse_id", "quantity", "type_code")
            )
            candidates = [
                row
                for row in candidates
                if row[3] in spec.draws or self.categories[row[3]] in spec.draws
            ]
            lines = []
            for row in self.rng.sample(candidates, min(lines_wanted, len(candidates))):
                lot_id, storehouse_id, on_hand, type_code = row
                pack = self.pack[type_code]
                packs = on_hand // pack
                if packs < 1:
                    continue
                wanted = self.rng.randint(1, max(1, packs * 3 // 100))
                lines.append(posting.Movement(lot_id, storehouse_id, wanted * pack))
            if not lines:
                return
            posting.issue_post(
                depot=self.depots[depot],
                lines=lines,
                recipient=self.recipients[spec.code],
                occurred_on=on,
                posted_by=self.poster(depot),
                purpose=purpose,
                reference=self.reference(depot),
            )

        return post
