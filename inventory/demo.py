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
from inventory import policy, reference_data
from inventory.demo_data import (  # noqa: F401 (re-exported: tests and the apps above read them)
    DEMO_DEPOTS,
    DEMO_LOTS,
    DEMO_RECIPIENTS,
    DEMO_STOREHOUSES,
    DEMO_TYPES,
    DEMO_USERS,
    DEPOT_POSTERS,
    HISTORY_DAYS,
    ISSUE_PURPOSES,
    LICENSING_AUTHORITY,
    MAKERS,
    OPENING_BALANCES,
    DemoLot,
    DemoRecipient,
    DemoStorehouse,
    DemoType,
    DemoUser,
)
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
from inventory.services.lots import NewLot, lot_find
from inventory.services.reference import (
    ammunition_type_create,
    licence_create,
    recipient_create,
    storehouse_create,
    waiver_create,
)

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


def _by_code(model, specs, create: Callable) -> dict:
    """The register entries of `specs` by code: those on the register already as they are (a
    second run changes nothing), the others made by `create(spec)`."""
    existing = model.objects.in_bulk([spec.code for spec in specs], field_name="code")
    return {spec.code: existing.get(spec.code) or create(spec) for spec in specs}


def _types(admin: User) -> dict[str, AmmunitionType]:
    threshold = policy.hd_1_2_threshold_kg()

    def create(spec: DemoType) -> AmmunitionType:
        neq = Decimal(spec.neq)
        division = spec.division
        if division == "1.2":
            division = suggest_hazard_subdivision_1_2(neq, threshold)
        return ammunition_type_create(
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

    return _by_code(AmmunitionType, DEMO_TYPES, create)


def _recipients(depots, officer: User) -> dict[str, Recipient]:
    def create(spec: DemoRecipient) -> Recipient:
        return recipient_create(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            depot=depots[spec.depot] if spec.depot else None,
            permitted_restricted=spec.permitted_restricted,
            created_by=officer,
        )

    return _by_code(Recipient, DEMO_RECIPIENTS, create)


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

    def paper_voucher(self, depot: str, days_ago: int) -> dict:
        """What a paper voucher of `depot` gives its posting: the depot, the day, the clerk who
        keyed it and the voucher's number (the next of the depot)."""
        return {
            "depot": self.depots[depot],
            "occurred_on": self.day(days_ago),
            "posted_by": self.poster(depot),
            "reference": self.reference(depot),
        }

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
                **self.paper_voucher(depot, days_ago),
                lines=[self.lot_line(key, depot, sh, qty) for key, sh, qty in lines],
                counterparty=counterparty,
            )
            self.remember_lots(key for key, _sh, _qty in lines)
            if name:
                self.documents[name] = document

        self.at(days_ago, post)

    def issue(self, days_ago, depot, recipient, lines, purpose, *, name=None):
        def post():
            document = posting.issue_post(
                **self.paper_voucher(depot, days_ago),
                lines=[self.movement(key, depot, sh, qty) for key, sh, qty in lines],
                recipient=self.recipients[recipient],
                purpose=purpose,
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
                **self.paper_voucher(depot, days_ago),
                lines=[
                    posting.MoveLine(
                        self.lots[key].pk,
                        self.sh(depot, src).pk,
                        self.sh(depot, dst).pk,
                        self.on_hand(key, depot, src) if qty is None else qty,
                    )
                    for key, src, dst, qty in lines
                ],
            )

        self.at(days_ago, post)

    def transfer(self, days_ago, depot, destination, lines, *, received=None):
        """Dispatch; `received` = (days_ago, [(lot, storehouse, quantity)]) receives it."""

        def dispatch():
            document = posting.transfer_dispatch(
                **self.paper_voucher(depot, days_ago),
                destination_depot=self.depots[destination],
                lines=[self.movement(key, depot, sh, qty) for key, sh, qty in lines],
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

    def adjustment(self, days_ago, depot, line, reason, note, *, approved_by=None):
        """An adjustment of one lot in one storehouse (`line`: lot, storehouse, signed
        quantity), approved by the user `approved_by` at once, or left for approval."""

        def post():
            key, storehouse, quantity = line
            document = posting.adjustment_create(
                depot=self.depots[depot],
                lines=[self.movement(key, depot, storehouse, quantity)],
                reason=reason,
                occurred_on=self.day(days_ago),
                posted_by=self.poster(depot),
                note=note,
            )
            if approved_by:
                posting.adjustment_approve(document=document, approved_by=self.users[approved_by])

        self.at(days_ago, post)

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
        self.adjustment(
            75,
            "D01",
            ("54R-A", "SAA-02", -440),
            AdjustmentReason.DAMAGED,
            "One tin holed by a forklift; 440 rounds water-damaged, sent for destruction.",
            approved_by="inspector",
        )
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
        self.adjustment(
            30,
            "D02",
            ("TNT-A", "ECM-01", 50),
            AdjustmentReason.FOUND,
            "Stock check: one case of 50 blocks found behind a stack, lot marking legible.",
            approved_by="admin",
        )
        self.receipt(20, "D01", [("9MM-N", "SAA-02", 20000)], MAKERS["KESTREL"][0])
        self.receipt(19, "D01", [("9MM-N", "SAA-02", 20000)], MAKERS["KESTREL"][0], name="dup")
        self.move(12, "D03", [("762-D3", "ECM-01", "OSS-02", None)])
        # D02 -> D03: still on the road.
        self.transfer(4, "D02", "D03", [("TNT-A", "ECM-01", 500)])
        self.adjustment(
            3,
            "D01",
            ("9MM-A", "SAA-02", -24),
            AdjustmentReason.COUNT_VARIANCE,
            "Monthly sample count: 24 rounds short in an opened carton. For approval.",
        )
        self.at(0, self.reverse_duplicate)

    def exercise_return(self) -> None:
        """What 1st Brigade did not fire comes back as child lots in condition K (returns
        awaiting classification, DESIGN.md §6), into the quarantine store (rule 2)."""
        document = posting.return_post(
            **self.paper_voucher("D01", 112),
            lines=[
                self.movement("82-A", "D01", "QUA-04", 30),
                self.movement("762-A", "D01", "QUA-04", 2880),
            ],
            recipient=self.recipients["1BDE"],
            source_issue=self.documents["exercise"],
        )
        self.documents["exercise-return"] = document

    def police_return(self) -> None:
        """Qualification shooting cut short: the police bring back two cartons (issue unknown).
        They wait in quarantine, in condition K, for the inspector's classification."""
        posting.return_post(
            **self.paper_voucher("D01", 50),
            lines=[self.movement("9MM-A", "D01", "QUA-04", 2000)],
            recipient=self.recipients["POL-SPU"],
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
            **self.paper_voucher("D01", 85),
            lines=[
                posting.MoveLine(
                    child.pk, self.sh("D01", "ECM-01").pk, self.sh("D01", "QUA-04").pk, 40
                )
            ],
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
                **self.paper_voucher(depot, days_ago),
                lines=lines,
                recipient=self.recipients[spec.code],
                purpose=purpose,
            )

        return post
