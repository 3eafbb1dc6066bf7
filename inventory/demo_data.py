"""The demo stockpile as data: depots, users, storehouses, types, recipients, lots and opening
balances that `inventory.demo.seed` loads (kept apart so the seeding reads as a story)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.roles import Role
from inventory.services.lots import add_months

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
