"""Demo surveillance on top of the demo stockpile (inventory/demo.py): a year of it, DESIGN.md §6
and §8, recorded through the surveillance services on the stockpile's own timeline, so that each
record falls between the vouchers of its day as it did on paper:

- the inspector classifies the stock 1st Brigade brought back unfired as serviceable, merges it
  back into its lots and the clerk puts it back in store;
- periodic, receipt and pre-issue inspections with their findings;
- stability tests of every propellant lot past its first-test date (stable results, a restricted
  lot that stays restricted because an automatic change never upgrades, a "monitor" result that
  makes a lot priority issue, and an unstable lot condemned by the system user and moved to
  quarantine);
- a ban and a training-only constraint; a shelf-life extension justified by a stability test.

D01's inspector records in D01; D02 and D03 have none, so the administrator does.

Called by demo.seeding through inventory.demo.seed, before the year is loaded: `seed(history=...)`
schedules the events and returns the notes for the seeding summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from accounts.models import User
from inventory.demo import History
from inventory.models import BanKind, Lot
from inventory.models.reference import RecipientKind
from inventory.services import posting
from inventory.services.lots import add_months
from surveillance import services
from surveillance.models import StabilityTest

# Who records surveillance in each depot: D01's inspector; the administrator where there is none.
SURVEILLANCE_RECORDERS = {"D01": "inspector", "D02": "admin", "D03": "admin"}


@dataclass(frozen=True)
class DemoInspection:
    days_ago: int
    lot: str
    depot: str
    storehouse: str
    kind: str
    sample_size: int
    findings: str
    condition: str


DEMO_INSPECTIONS = [
    DemoInspection(350, "122-A", "D01", "ECM-01", "periodic", 8,
                   "Cartridge cases and packaging sound, no corrosion, markings legible.", "A"),
    DemoInspection(340, "PG7-A", "D01", "ECM-01", "periodic", 6,
                   "Boxes dry; booster charges sealed; no damage to fins or nose caps.", "A"),
    DemoInspection(200, "TNT-A", "D02", "ECM-01", "periodic", 10,
                   "Blocks dry, no exudation; wooden cases sound.", "A"),
    DemoInspection(180, "F1-A", "D03", "OSS-02", "periodic", 20,
                   "Safety pins and levers intact; light surface rust on two boxes, cleaned.",
                   "A"),
    DemoInspection(86, "82-A", "D01", "ECM-01", "periodic", 60,
                   "Stack 3: 40 bombs with corroded fins and exuding filling; the rest of the "
                   "lot serviceable. The affected bombs are to be split off and condemned.", "A"),
    DemoInspection(44, "127-D", "D01", "QUA-04", "receipt", 20,
                   "Links corroded on 6 of 20 tins sampled; rounds serviceable once relinked.",
                   "D"),
    DemoInspection(25, "60-A", "D01", "ECM-01", "pre_issue", 12,
                   "No defects; fuze wells clean and dry; ready for issue.", "A"),
]  # fmt: skip


@dataclass(frozen=True)
class DemoStabilityTest:
    days_ago: int  # when the laboratory's result was recorded; sampled two weeks before
    lot: str
    depot: str
    method: str
    initial: str | None = None  # stabiliser content, % (content methods)
    measured: str | None = None
    passed: bool | None = None  # pass/fail methods


PROPELLANT_LABORATORY = "National Propellant Laboratory"

# Every propellant lot in serviceable stock past its first test (manufacture + 5 years) has one,
# so the daily sweep finds nothing overdue to suspend when the demo is first loaded.
DEMO_STABILITY_TESTS = [
    DemoStabilityTest(330, "762-B", "D01", "hplc", "1.10", "0.41"),  # restricted: stays B
    DemoStabilityTest(300, "152-A", "D02", "hplc", "1.20", "0.95"),
    DemoStabilityTest(290, "CHG-A", "D02", "heat_flow_calorimetry", passed=True),
    DemoStabilityTest(280, "122-A", "D01", "hplc", "1.20", "0.86"),
    DemoStabilityTest(270, "54R-D3", "D03", "hplc", "1.00", "0.83"),
    DemoStabilityTest(250, "127-A", "D01", "gc", "0.90", "0.71"),
    DemoStabilityTest(240, "82-A", "D01", "heat_flow_calorimetry", passed=True),
    DemoStabilityTest(60, "82-C", "D01", "hplc", "1.00", "0.78"),  # justifies an extension
    DemoStabilityTest(0, "762-A", "D01", "hplc", "1.00", "0.52"),  # monitor: priority issue
    DemoStabilityTest(0, "54R-A", "D01", "hplc", "1.00", "0.18"),  # unstable: condemned
]


def seed(*, history: History) -> list[str]:
    """Schedule the year of surveillance on the demo history; returns notes for the summary."""
    _Year(history).schedule()
    return [
        f"Surveillance: {len(DEMO_INSPECTIONS)} inspections, {len(DEMO_STABILITY_TESTS)} "
        "stability tests (lot 54R-A unstable: condemned and quarantined), a ban, a "
        "constraint and a shelf-life extension."
    ]


class _Year:
    """The surveillance events of the demo year, each scheduled on the stockpile's timeline."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.stability_tests: dict[str, StabilityTest] = {}

    def schedule(self) -> None:
        self.history.at(110, self.classify_exercise_return)
        for spec in DEMO_INSPECTIONS:
            self.history.at(spec.days_ago, partial(self.inspect, spec))
        for spec in DEMO_STABILITY_TESTS:
            self.history.at(spec.days_ago, partial(self.stability_test, spec))
        self.history.at(59, self.extend_shelf_life)
        # The condemned lot leaves the small arms store for quarantine the day it is condemned.
        self.history.move(0, "D01", [("54R-A", "SAA-02", "QUA-04", None)])
        self.history.at(0, self.ban_and_constrain)

    def recorder(self, depot: str) -> User:
        return self.history.users[SURVEILLANCE_RECORDERS[depot]]

    def inspect(self, spec: DemoInspection) -> None:
        services.inspection_record(
            lot=self.history.lots[spec.lot],
            depot=self.history.depots[spec.depot],
            storehouse=self.history.sh(spec.depot, spec.storehouse),
            kind=spec.kind,
            inspected_on=self.history.day(spec.days_ago),
            sample_size=spec.sample_size,
            findings=spec.findings,
            condition=spec.condition,
            inspector=self.recorder(spec.depot),
        )

    def stability_test(self, spec: DemoStabilityTest) -> None:
        self.stability_tests[spec.lot] = services.stability_test_record(
            lot=self.history.lots[spec.lot],
            depot=self.history.depots[spec.depot],
            sampled_on=self.history.day(spec.days_ago + 14),
            laboratory=PROPELLANT_LABORATORY,
            method=spec.method,
            stabiliser="" if spec.passed is not None else "diphenylamine",
            initial_content_pct=None if spec.initial is None else Decimal(spec.initial),
            measured_content_pct=None if spec.measured is None else Decimal(spec.measured),
            passed=spec.passed,
            tested_by=self.recorder(spec.depot),
        )

    def extend_shelf_life(self) -> None:
        lot = Lot.objects.get(pk=self.history.lots["82-C"].pk)
        services.shelf_life_extend(
            lot=lot,
            new_expires_on=add_months(lot.expires_on, 24),
            reason="Stabiliser at 78 % of initial and no defects found: shelf life extended "
            "by 24 months.",
            decided_by=self.history.users["inspector"],
            stability_test=self.stability_tests["82-C"],
        )

    def ban_and_constrain(self) -> None:
        year = self.history.today.year
        services.ban_impose(
            kind=BanKind.BAN,
            lot=self.history.lots["23-A"],
            reason="Premature functioning of two rounds reported in firing: the lot is withdrawn "
            "from issue pending investigation.",
            reference=f"TB-{year}-04",
            imposed_by=self.history.users["inspector"],
        )
        services.ban_impose(
            kind=BanKind.CONSTRAINT,
            lot=self.history.lots["40-A"],
            reason="Arming distance below specification in lot acceptance firing: training use "
            "on ranges only.",
            reference=f"TC-{year}-02",
            permitted_recipient_kinds=[RecipientKind.RANGE],
            imposed_by=self.history.users["inspector"],
        )

    def classify_exercise_return(self) -> None:
        """The inspector finds the returned stock serviceable (K -> A), merges each child back
        into its lot and the clerk puts it back in its store."""
        returned = self.history.documents["exercise-return"]
        children = Lot.objects.filter(ledger_lines__document=returned).order_by("pk").distinct()
        for child in children:
            services.condition_change_post(
                lot=child,
                condition="A",
                reason="Returned unfired, seals intact, no damage: serviceable.",
                depot=self.history.depots["D01"],
                posted_by=self.history.users["inspector"],
                occurred_on=self.history.day(110),
            )
            posting.lot_merge(
                lot=child,
                posted_by=self.history.users["inspector"],
                occurred_on=self.history.day(110),
                reason="Classified serviceable after the exercise return.",
            )
        self.history.remember_lots(["82-A", "762-A"])
        posting.move_post(
            depot=self.history.depots["D01"],
            lines=[
                posting.MoveLine(
                    self.history.lots[key].pk,
                    self.history.sh("D01", "QUA-04").pk,
                    self.history.sh("D01", store).pk,
                    self.history.on_hand(key, "D01", "QUA-04"),
                )
                for key, store in (("82-A", "ECM-01"), ("762-A", "SAA-02"))
            ],
            occurred_on=self.history.day(110),
            posted_by=self.history.poster("D01"),
            reference=self.history.reference("D01"),
        )
