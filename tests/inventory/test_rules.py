"""Safe-storage rules (inventory/rules/) against the seed data in inventory/reference/.

Pure: no database, no Django. Run alone with `pytest -p no:django tests/inventory/test_rules.py`.
"""

import csv
import re
from dataclasses import replace
from decimal import Decimal
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.rules import (
    AVAILABILITIES,
    COMPATIBILITY_GROUPS,
    HAZARD_DIVISIONS,
    LICENCE_EXCEEDED,
    NO_LICENCE,
    STORAGE_INCOMPATIBLE,
    SUSPECT_ISOLATION,
    Holding,
    MixingMatrix,
    StoragePolicy,
    compatibility_breaches,
    condition_improves,
    effective_groups,
    hazard_code_is_legal,
    hazard_subdivision_1_2_contradiction,
    isolation_breaches,
    legal_hazard_codes_from_rows,
    licence_breaches,
    mixing_matrix_from_rows,
    neq_assessments,
    per_item_kg,
    storage_breaches,
    suggest_hazard_subdivision_1_2,
)

REFERENCE = Path(__file__).resolve().parents[2] / "inventory" / "reference"


def read_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


MATRIX_ROWS = read_rows("mixing_matrix.csv")
MATRIX = mixing_matrix_from_rows(MATRIX_ROWS)
LEGAL_CODES = legal_hazard_codes_from_rows(read_rows("hazard_codes.csv"))
AGGREGATION_EXAMPLES = read_rows("aggregation_examples.csv")
WAIVERS = frozenset({"n2", "n4"})
DEFAULT_POLICY = StoragePolicy()
PROPERTY = settings(database=None, max_examples=200, deadline=None)

# UN Model Regulations 2.1.2.1.1, written out independently of the CSV.
UN_LEGAL_DIVISIONS = {
    "A": ("1.1",),
    "B": ("1.1", "1.2", "1.4"),
    "C": ("1.1", "1.2", "1.3", "1.4"),
    "D": ("1.1", "1.2", "1.4", "1.5"),
    "E": ("1.1", "1.2", "1.4"),
    "F": ("1.1", "1.2", "1.3", "1.4"),
    "G": ("1.1", "1.2", "1.3", "1.4"),
    "H": ("1.2", "1.3"),
    "J": ("1.1", "1.2", "1.3"),
    "K": ("1.2", "1.3"),
    "L": ("1.1", "1.2", "1.3"),
    "N": ("1.6",),
    "S": ("1.4",),
}
UN_LEGAL_CODES = frozenset(f"{d}{g}" for g, ds in UN_LEGAL_DIVISIONS.items() for d in ds)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Override the shared fixture: these tests use no cache, so they run without Django."""


def lot(
    lot_id: int,
    group: str = "D",
    division: str = "1.1",
    neq: str | int = 100,
    *,
    type_id: int | None = None,
    per_unit: str | int = 1,
    **fields,
) -> Holding:
    """A holding of lot LOT-<id>, of its own ammunition type unless `type_id` is given."""
    return Holding(
        lot_id=lot_id,
        lot_number=f"LOT-{lot_id}",
        ammunition_type_id=lot_id if type_id is None else type_id,
        hazard_division=division,
        compatibility_group=group,
        neq_kg=Decimal(neq),
        neq_per_unit_kg=Decimal(per_unit),
        **fields,
    )


def outcome(breaches) -> list[tuple]:
    return [(b.code, b.groups, b.note, b.waivable, b.lot_numbers) for b in breaches]


def assessed(holdings, policy: StoragePolicy = DEFAULT_POLICY) -> dict[str, Decimal]:
    return {a.division: a.neq_kg for a in neq_assessments(holdings, policy)}


# Hazard classification


def test_reference_hazard_codes_are_the_35_un_codes():
    assert LEGAL_CODES == UN_LEGAL_CODES
    assert len(LEGAL_CODES) == 35


@pytest.mark.parametrize(
    ("division", "group"),
    list(product(HAZARD_DIVISIONS, COMPATIBILITY_GROUPS)),
    ids=[f"{d}{g}" for d, g in product(HAZARD_DIVISIONS, COMPATIBILITY_GROUPS)],
)
def test_hazard_code_legality(division, group):
    un_division = "1.2" if division in ("1.2.1", "1.2.2") else division
    expected = f"{un_division}{group}" in UN_LEGAL_CODES
    assert hazard_code_is_legal(division, group, LEGAL_CODES) is expected


def test_hazard_code_count_over_storage_divisions():
    legal = [
        c
        for c in product(HAZARD_DIVISIONS, COMPATIBILITY_GROUPS)
        if hazard_code_is_legal(*c, LEGAL_CODES)
    ]
    assert len(legal) == 45  # the 10 legal 1.2 codes count twice, as 1.2.1 and 1.2.2


@pytest.mark.parametrize(
    ("division", "group"), [("1.2", "D"), ("1.7", "D"), ("1.1", "I"), ("", "")]
)
def test_hazard_code_outside_the_fixed_values_is_illegal(division, group):
    assert hazard_code_is_legal(division, group, LEGAL_CODES) is False


@pytest.mark.parametrize(
    "row",
    [
        {"compatibility_group": "I", "legal_hazard_codes": "1.1I"},
        {"compatibility_group": "B", "legal_hazard_codes": "1.1B 1.2D"},
        {"compatibility_group": "B", "legal_hazard_codes": "1.2.1B"},
        {"compatibility_group": "B", "legal_hazard_codes": "1.9B"},
    ],
)
def test_hazard_codes_reject_bad_rows(row):
    with pytest.raises(ValueError, match="hazard codes"):
        legal_hazard_codes_from_rows([row])


@pytest.mark.parametrize(
    ("he_per_item", "threshold", "expected"),
    [
        ("0.137", "0.136", "1.2.1"),
        ("0.136", "0.136", "1.2.2"),
        ("0", "0.136", "1.2.2"),
        ("0.5", "0.71", "1.2.2"),
        ("0.711", "0.71", "1.2.1"),
    ],
)
def test_suggest_hazard_subdivision_1_2(he_per_item, threshold, expected):
    assert suggest_hazard_subdivision_1_2(Decimal(he_per_item), Decimal(threshold)) == expected


# The mixing matrix as data


def test_matrix_holds_design_highlights():
    """DESIGN.md §4 rule 1, checked against the seed matrix independently of the rules code."""
    cell = MATRIX.cell
    others = list(COMPATIBILITY_GROUPS)
    assert [cell("A", g) for g in others] == ["Y"] + ["N"] * 12
    assert {g: cell("K", g) for g in others if cell("K", g) != "N"} == {"K": "Y"}
    assert {g: cell("L", g) for g in others if cell("L", g) != "N"} == {"L": "n3"}
    assert cell("K", "S") == cell("L", "S") == "N"
    assert [cell("G", g) for g in "CDEF"] == ["n4"] * 4
    assert [cell("F", g) for g in "CDE"] == ["n2"] * 3
    assert [cell("B", g) for g in "DEF"] == ["n1"] * 3
    assert [cell("N", g) for g in "CDE"] == ["n5"] * 3
    assert (cell("N", "N"), cell("N", "S")) == ("n6", "n7")


def mutated_rows(group: str, column: str, value: str) -> list[dict[str, str]]:
    rows = [dict(row) for row in MATRIX_ROWS]
    next(row for row in rows if row["group"] == group)[column] = value
    return rows


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (mutated_rows("B", "D", "N"), "not symmetric: cell B/D is 'N' but D/B is 'n1'"),
        (mutated_rows("C", "C", "maybe"), "cell C/C has unknown value 'maybe'"),
        (mutated_rows("C", "C", ""), "cell C/C has unknown value ''"),
        (mutated_rows("A", "A", "n1"), "note n1 cannot apply to cell A/A"),
        (mutated_rows("N", "N", "n5"), "note n5 cannot apply to cell N/N"),
        (MATRIX_ROWS[:-1], "row S is missing"),
        (MATRIX_ROWS + MATRIX_ROWS[:1], "row A is given twice"),
        ([{**row, "Q": "Y"} for row in MATRIX_ROWS], "unknown column 'Q' in row A"),
        (
            [{k: v for k, v in row.items() if k != "S"} for row in MATRIX_ROWS],
            "cell A/S is missing",
        ),
        ([{**MATRIX_ROWS[0], "group": "I"}], "unknown row group 'I'"),
    ],
    ids=[
        "asymmetric",
        "unknown-value",
        "empty-cell",
        "n1-misplaced",
        "n5-misplaced",
        "missing-row",
        "duplicate-row",
        "unknown-column",
        "missing-column",
        "unknown-row",
    ],
)
def test_matrix_rejects_bad_data_naming_the_cell(rows, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        mixing_matrix_from_rows(rows)


def test_amended_matrix_is_obeyed():
    rows = mutated_rows("C", "S", "n2")
    next(row for row in rows if row["group"] == "S")["C"] = "n2"
    matrix = mixing_matrix_from_rows(rows)
    breaches = compatibility_breaches([lot(1, "C"), lot(2, "S")], matrix)
    assert outcome(breaches) == [(STORAGE_INCOMPATIBLE, ("C", "S"), "n2", True, ("LOT-1", "LOT-2"))]
    assert compatibility_breaches([lot(1, "C"), lot(2, "S")], matrix, frozenset({"n2"})) == []


def test_matrix_cells_are_read_only():
    with pytest.raises(TypeError):
        MATRIX.cells[("A", "B")] = "Y"


# Rule 1: every cell of the matrix, one lot of group X with one lot of group Y


def expected_refusal(value: str, waived: bool) -> tuple[str | None, bool] | None:
    """(note, waivable) of the breach for two lots of different types, or None when allowed.
    n1 is strict: a B lot with no `assembles_to` recorded has no host, so B beside D/E/F is
    refused."""
    if value in ("Y", "n5", "n6", "n7"):
        return None
    if value == "n1":
        return ("n1", False)
    if value in ("n2", "n4"):
        return None if waived else (value, True)
    if value == "n3":
        return ("n3", False)
    return (None, False)


CELLS = list(product(COMPATIBILITY_GROUPS, COMPATIBILITY_GROUPS))


@pytest.mark.parametrize("waived", [False, True], ids=["no-waiver", "n2-n4-waived"])
@pytest.mark.parametrize(("x", "y"), CELLS, ids=[f"{x}{y}" for x, y in CELLS])
def test_matrix_cell(x, y, waived):
    value = MATRIX.cell(x, y)
    breaches = compatibility_breaches(
        [lot(1, x), lot(2, y)], MATRIX, WAIVERS if waived else frozenset()
    )
    refusal = expected_refusal(value, waived)
    if refusal is None:
        assert breaches == []
    else:
        note, waivable = refusal
        groups = tuple(sorted((x, y), key=COMPATIBILITY_GROUPS.index))
        assert outcome(breaches) == [
            (STORAGE_INCOMPATIBLE, groups, note, waivable, ("LOT-1", "LOT-2"))
        ]
        assert breaches[0].rule == "compatibility"


def test_refusal_message_names_groups_and_lots():
    [breach] = compatibility_breaches([lot(1, "D"), lot(2, "A")], MATRIX)
    assert breach.message == "CG A (lot LOT-2) and CG D (lot LOT-1) may not share a storehouse."


def test_waivable_message_says_a_waiver_is_needed():
    [breach] = compatibility_breaches([lot(1, "G"), lot(2, "C"), lot(3, "C")], MATRIX)
    assert breach.message == (
        "CG C (lots LOT-2, LOT-3) and CG G (lot LOT-1) may share a storehouse only by decision "
        "of the national competent authority (note n4); a waiver recording it is needed."
    )


def test_one_breach_per_pair_of_groups_naming_all_lots():
    breaches = compatibility_breaches([lot(1, "A"), lot(2, "D"), lot(3, "D"), lot(4, "K")], MATRIX)
    assert outcome(breaches) == [
        (STORAGE_INCOMPATIBLE, ("A", "D"), None, False, ("LOT-1", "LOT-2", "LOT-3")),
        (STORAGE_INCOMPATIBLE, ("A", "K"), None, False, ("LOT-1", "LOT-4")),
        (STORAGE_INCOMPATIBLE, ("D", "K"), None, False, ("LOT-2", "LOT-3", "LOT-4")),
    ]


def test_one_waiver_does_not_lift_the_other_note():
    holdings = [lot(1, "F"), lot(2, "D"), lot(3, "G")]
    assert [b.note for b in compatibility_breaches(holdings, MATRIX)] == ["n2", "n4", "n4"]
    assert [b.note for b in compatibility_breaches(holdings, MATRIX, frozenset({"n2"}))] == [
        "n4",
        "n4",
    ]
    assert [b.note for b in compatibility_breaches(holdings, MATRIX, frozenset({"n4"}))] == ["n2"]
    assert compatibility_breaches(holdings, MATRIX, WAIVERS) == []


@pytest.mark.parametrize("note", ["n1", "n3", "n5", "N", "isolation"])
def test_only_n2_and_n4_can_be_waived(note):
    with pytest.raises(ValueError, match="only notes n2 and n4 can be waived"):
        compatibility_breaches([lot(1)], MATRIX, frozenset({note}))


# n1: CG B fuzes with the articles they will be assembled to


@pytest.mark.parametrize("assembles_to", [None, frozenset()], ids=["none", "empty"])
def test_n1_is_strict_fuzes_with_no_recorded_host_share_with_no_article(assembles_to):
    """Issue 14: 1.1B electric detonators beside 1.1D bulk explosive. No `assembles_to` recorded
    is no host at all, never "every D/E/F article is a host"."""
    holdings = [
        lot(1, "B", assembles_to=assembles_to),
        lot(2, "D"),
        lot(3, "E"),
        lot(4, "S", "1.4"),
    ]
    breaches = compatibility_breaches(holdings, MATRIX, WAIVERS)
    assert outcome(breaches) == [
        (STORAGE_INCOMPATIBLE, ("B", "D"), "n1", False, ("LOT-1", "LOT-2")),
        (STORAGE_INCOMPATIBLE, ("B", "E"), "n1", False, ("LOT-1", "LOT-3")),
    ]
    assert breaches[0].message == (
        "CG B (lot LOT-1) and CG D (lot LOT-2) may share a storehouse only when the CG B items "
        "are recorded as assembling to the articles' types (note n1: assembles to)."
    )
    assert effective_groups(holdings, MATRIX) == {1: "B", 2: "D", 3: "E", 4: "S"}
    assert compatibility_breaches([lot(1, "B"), lot(4, "S", "1.4")], MATRIX) == []


def test_n1_fuzes_with_their_host_article_count_as_f():
    holdings = [lot(1, "B", assembles_to=frozenset({20})), lot(2, "D", type_id=20)]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "F", 2: "F"}


def test_n1_fuzes_with_several_host_types():
    holdings = [
        lot(1, "B", assembles_to=frozenset({20, 30})),
        lot(2, "D", type_id=20),
        lot(3, "E", type_id=30),
        lot(4, "E", type_id=30),
    ]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "F", 2: "F", 3: "F", 4: "F"}


def test_n1_fuzes_are_kept_from_articles_they_do_not_fit():
    """B fuzes beside an E article of another type: refused (n1 condition unmet), and the B's host
    now counts as F, so it too needs segregation from that E article (n2)."""
    holdings = [lot(1, "B", assembles_to=frozenset({20})), lot(2, "D", type_id=20), lot(3, "E")]
    breaches = compatibility_breaches(holdings, MATRIX)
    assert outcome(breaches) == [
        (STORAGE_INCOMPATIBLE, ("B", "E"), "n1", False, ("LOT-1", "LOT-3")),
        (STORAGE_INCOMPATIBLE, ("E", "F"), "n2", True, ("LOT-2", "LOT-3")),
    ]
    assert breaches[0].message == (
        "CG B (lot LOT-1) and CG E (lot LOT-3) may share a storehouse only when the CG B items "
        "are recorded as assembling to the articles' types (note n1: assembles to)."
    )
    assert breaches[1].message == (
        "CG E (lot LOT-3) and CG F (lot LOT-2) may share a storehouse only when effectively "
        "segregated (note n2); a waiver recording the segregation is needed. "
        "Lot LOT-2 (CG D) counts as CG F under note n1."
    )
    assert [b.note for b in compatibility_breaches(holdings, MATRIX, WAIVERS)] == ["n1"]
    assert effective_groups(holdings, MATRIX) == {1: "F", 2: "F", 3: "E"}


def test_n1_host_counts_as_f_for_every_further_check():
    """Seen through an amended matrix letting B meet C: B and its host then meet C as F (n2)."""
    rows = mutated_rows("B", "C", "Y")
    next(row for row in rows if row["group"] == "C")["B"] = "Y"
    matrix = mixing_matrix_from_rows(rows)
    holdings = [lot(1, "B", assembles_to=frozenset({2})), lot(2, "D"), lot(3, "C")]
    assert outcome(compatibility_breaches(holdings, matrix)) == [
        (STORAGE_INCOMPATIBLE, ("C", "F"), "n2", True, ("LOT-1", "LOT-2", "LOT-3"))
    ]
    assert compatibility_breaches([lot(1, "B"), lot(3, "C")], matrix) == []
    assert compatibility_breaches([lot(2, "D"), lot(3, "C")], matrix) == []


def test_n1_fuzes_without_their_host_are_refused_even_with_waivers():
    holdings = [lot(1, "B", assembles_to=frozenset({99})), lot(2, "D")]
    expected = [(STORAGE_INCOMPATIBLE, ("B", "D"), "n1", False, ("LOT-1", "LOT-2"))]
    assert outcome(compatibility_breaches(holdings, MATRIX)) == expected
    assert outcome(compatibility_breaches(holdings, MATRIX, WAIVERS)) == expected
    assert effective_groups(holdings, MATRIX) == {1: "B", 2: "D"}


def test_n1_does_not_lift_the_refusals_of_b_itself():
    """Counting as F does not make B acceptable where its own row says N (C here)."""
    holdings = [lot(1, "B", assembles_to=frozenset({2})), lot(2, "D"), lot(3, "C")]
    assert outcome(compatibility_breaches(holdings, MATRIX, WAIVERS)) == [
        (STORAGE_INCOMPATIBLE, ("B", "C"), None, False, ("LOT-1", "LOT-3"))
    ]
    assert outcome(compatibility_breaches(holdings, MATRIX)) == [
        (STORAGE_INCOMPATIBLE, ("B", "C"), None, False, ("LOT-1", "LOT-3")),
        (STORAGE_INCOMPATIBLE, ("C", "F"), "n2", True, ("LOT-2", "LOT-3")),
    ]


def test_n1_second_fuze_lot_for_absent_articles_is_refused():
    holdings = [
        lot(1, "B", assembles_to=frozenset({20})),
        lot(2, "D", type_id=20),
        lot(3, "B", assembles_to=frozenset({30})),
    ]
    breaches = compatibility_breaches(holdings, MATRIX, WAIVERS)
    assert {b.note for b in breaches} == {"n1"}
    assert all("LOT-3" in b.lot_numbers and not b.waivable for b in breaches)


def test_n1_rest_of_storehouse_keeps_its_group():
    holdings = [lot(1, "B", assembles_to=frozenset({2})), lot(2, "F"), lot(3, "S", "1.4")]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX)[3] == "S"


# n3: each CG L type stored alone


def test_n3_lots_of_one_l_type_may_share():
    holdings = [lot(1, "L", type_id=7), lot(2, "L", type_id=7)]
    assert compatibility_breaches(holdings, MATRIX) == []


def test_n3_l_types_apart_even_with_waivers():
    holdings = [lot(1, "L", type_id=7), lot(2, "L", type_id=8), lot(3, "L", type_id=7)]
    [breach] = compatibility_breaches(holdings, MATRIX, WAIVERS)
    assert outcome([breach]) == [
        (STORAGE_INCOMPATIBLE, ("L", "L"), "n3", False, ("LOT-1", "LOT-2", "LOT-3"))
    ]
    assert breach.message == (
        "CG L lots LOT-1, LOT-2, LOT-3 are of different ammunition types; each CG L type is "
        "stored alone (note n3)."
    )


def test_n3_l_is_not_stored_even_with_s():
    assert [b.groups for b in compatibility_breaches([lot(1, "L"), lot(2, "S")], MATRIX)] == [
        ("L", "S")
    ]


# n5, n6, n7: CG N


@pytest.mark.parametrize("other", ["C", "D", "E"])
def test_n5_n_with_c_d_e_is_allowed_and_counts_as_d(other):
    holdings = [lot(1, "N", "1.6"), lot(2, other)]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "D", 2: other}


def test_n5_n_with_c_and_s():
    holdings = [lot(1, "N", "1.6"), lot(2, "C"), lot(3, "S", "1.4")]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "D", 2: "C", 3: "S"}


def test_n5_does_not_open_n_to_what_d_may_meet():
    """D may meet F under n2, but N may not: the N row still refuses."""
    holdings = [lot(1, "N", "1.6"), lot(2, "D"), lot(3, "F")]
    assert outcome(compatibility_breaches(holdings, MATRIX, WAIVERS)) == [
        (STORAGE_INCOMPATIBLE, ("F", "N"), None, False, ("LOT-1", "LOT-3"))
    ]


def test_n6_different_n_types_are_allowed_but_count_as_d():
    holdings = [lot(1, "N", "1.6"), lot(2, "N", "1.6")]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "D", 2: "D"}


def test_n6_types_of_one_compatible_family_stay_n():
    holdings = [
        lot(1, "N", "1.6", compatible_family="IM-155"),
        lot(2, "N", "1.6", compatible_family="IM-155"),
        lot(3, "N", "1.6", type_id=2, compatible_family="IM-155"),
    ]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "N", 2: "N", 3: "N"}


def test_n6_lots_of_one_type_stay_n():
    holdings = [lot(1, "N", "1.6", type_id=5), lot(2, "N", "1.6", type_id=5)]
    assert effective_groups(holdings, MATRIX) == {1: "N", 2: "N"}


def test_n6_one_outsider_makes_the_whole_set_d():
    holdings = [
        lot(1, "N", "1.6", compatible_family="IM-155"),
        lot(2, "N", "1.6", compatible_family="IM-155"),
        lot(3, "N", "1.6", compatible_family="IM-120"),
        lot(4, "S", "1.4"),
    ]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "D", 2: "D", 3: "D", 4: "S"}


def test_n7_n_with_s_is_allowed_and_regroups_nothing():
    holdings = [lot(1, "N", "1.6"), lot(2, "S", "1.4")]
    assert compatibility_breaches(holdings, MATRIX) == []
    assert effective_groups(holdings, MATRIX) == {1: "N", 2: "S"}


def test_n7_s_beside_n_still_may_not_meet_what_n_may_not():
    holdings = [lot(1, "N", "1.6"), lot(2, "S", "1.4"), lot(3, "G")]
    assert [b.groups for b in compatibility_breaches(holdings, MATRIX, WAIVERS)] == [("G", "N")]


# Rule 2: lots of an isolating condition code are stored apart


@pytest.mark.parametrize("other", ["issuable", "restricted", "suspended", "unserviceable"])
def test_isolation_isolating_lot_is_kept_from_any_other_lot(other):
    """Issue 14: condemned lots of different types may not share a store, whatever the other
    lot's availability."""
    holdings = [
        lot(1, availability=other),
        lot(2, availability="unserviceable", isolate=True, condition="H"),
    ]
    [breach] = isolation_breaches(holdings)
    assert (breach.code, breach.rule, breach.waivable, breach.lot_numbers) == (
        SUSPECT_ISOLATION,
        "isolation",
        True,
        ("LOT-1", "LOT-2"),
    )
    assert breach.message == (
        "Lot LOT-2 is in condition H (unserviceable) and must be stored apart from other lots "
        "(lot LOT-1); move lot LOT-2 or record an isolation waiver (quarantine store)."
    )
    assert isolation_breaches(holdings, waived=True) == []


def test_isolation_two_isolating_lots_of_different_types_breach_each():
    holdings = [
        lot(1, availability="unserviceable", isolate=True, condition="H"),
        lot(2, availability="unserviceable", isolate=True, condition="H"),
    ]
    assert [b.lot_numbers for b in isolation_breaches(holdings)] == [
        ("LOT-1", "LOT-2"),
        ("LOT-1", "LOT-2"),
    ]


@pytest.mark.parametrize("condition", ["D", "J", "L", "M", "N", "F", "G"])
def test_isolation_administrative_and_safe_codes_are_not_isolated(condition):
    """Issue 14: J (overdue for test), L (litigation), N (emergency use) and the other codes the
    table does not mark `isolate` share a storehouse like serviceable stock."""
    holdings = [
        lot(1),
        lot(2, availability="suspended", condition=condition),
        lot(3, availability="unserviceable", condition=condition),
    ]
    assert isolation_breaches(holdings) == []


def test_isolation_excepts_the_isolating_lots_own_split_children():
    """LOT-1 (H) may be beside lots split from it; LOT-2 (H, split from LOT-1) is beside its
    parent, which is not its own split child: LOT-2 alone breaches."""
    holdings = [
        lot(1, availability="unserviceable", isolate=True, condition="H"),
        lot(2, type_id=1, ancestry=(1,), availability="unserviceable", isolate=True),
        lot(3, type_id=1, ancestry=(2, 1)),
    ]
    [breach] = isolation_breaches(holdings)
    assert breach.lot_numbers == ("LOT-1", "LOT-2")
    assert breach.message.startswith("Lot LOT-2 is suspect (unserviceable)")
    assert isolation_breaches(holdings[:1] + holdings[2:]) == []


def test_isolation_condemned_part_split_off_is_kept_from_its_parent():
    """A child split off into an isolating condition is moved away from the serviceable rest."""
    holdings = [lot(1), lot(2, type_id=1, ancestry=(1,), isolate=True, condition="H")]
    [breach] = isolation_breaches(holdings)
    assert breach.lot_numbers == ("LOT-1", "LOT-2")


def test_isolation_one_breach_per_isolating_lot():
    holdings = [
        lot(1, availability="suspended", isolate=True, condition="K"),
        lot(2),
        lot(3, availability="unserviceable", isolate=True, condition="H"),
        lot(4, availability="restricted"),
    ]
    assert [(b.lot_numbers, b.message.split(" is ")[0]) for b in isolation_breaches(holdings)] == [
        (("LOT-1", "LOT-2", "LOT-3", "LOT-4"), "Lot LOT-1"),
        (("LOT-1", "LOT-2", "LOT-3", "LOT-4"), "Lot LOT-3"),
    ]


@pytest.mark.parametrize(
    ("current", "target", "improves"),
    [
        ("A", "A", False),
        ("A", "H", False),
        ("A", "B", False),
        ("B", "J", False),
        ("J", "H", False),
        ("H", "A", True),
        ("H", "E", True),
        ("A", "C", True),
        ("J", "B", True),
        ("K", "A", True),
    ],
)
def test_condition_improves(current, target, improves):
    availability = {
        "A": "issuable",
        "C": "issuable",
        "B": "restricted",
        "J": "suspended",
        "K": "suspended",
        "E": "unserviceable",
        "H": "unserviceable",
    }
    assert condition_improves(current, target, availability) is improves


# Rule 4: NEQ aggregation, the worked examples of IATG 02.20 Table 6


def parse_quantities(text: str, separator: str) -> dict[str, Decimal]:
    text = re.sub(r"\s*\(.*\)\s*$", "", text)
    pairs = (part.split(":") for part in text.split(separator))
    return {division.strip(): Decimal(kg.strip()) for division, kg in pairs}


def test_aggregation_examples_are_all_read():
    assert len(AGGREGATION_EXAMPLES) == 5


@pytest.mark.parametrize(
    "example",
    AGGREGATION_EXAMPLES,
    ids=[row["contents (hazard division: NEQ kg)"] for row in AGGREGATION_EXAMPLES],
)
def test_aggregation_example(example):
    contents = parse_quantities(example["contents (hazard division: NEQ kg)"], ";")
    expected = parse_quantities(example["assessed against licence limits"], " and ")
    holdings = [
        lot(i, "D", division, neq) for i, (division, neq) in enumerate(contents.items(), start=1)
    ]
    result = assessed(holdings)
    # The examples list 1.4 only as "never aggregated": it is assessed alone, at its own NEQ.
    assert result.pop("1.4", None) == contents.get("1.4")
    assert result == expected


# Rule 4: each branch of the order of evaluation


@pytest.mark.parametrize(
    ("holdings", "expected"),
    [
        pytest.param([], {}, id="empty"),
        pytest.param([lot(1, "S", "1.4", 500)], {"1.4": Decimal(500)}, id="1.4-alone"),
        pytest.param(
            [lot(1, "D", "1.1", 100), lot(2, "S", "1.4", 500), lot(3, "S", "1.4", 7)],
            {"1.1": Decimal(100), "1.4": Decimal(507)},
            id="1.4-never-added",
        ),
        pytest.param([lot(1, "D", "1.5", 200)], {"1.1": Decimal(200)}, id="1.5-counts-as-1.1"),
        pytest.param(
            [lot(1, "D", "1.1", 100), lot(2, "D", "1.5", 200)],
            {"1.1": Decimal(300)},
            id="1.5-adds-to-1.1",
        ),
        pytest.param([lot(1, "N", "1.6", 300)], {"1.1": Decimal(300)}, id="1.6-counts-as-1.1"),
        pytest.param(
            [lot(1, "N", "1.6", 300), lot(2, "C", "1.3", 100)],
            {"1.1": Decimal(400)},
            id="1.6-with-1.3-as-1.1-with-1.3",
        ),
        pytest.param(
            [lot(1, "D", "1.2.2", 100, shaped_charge=True), lot(2, "C", "1.3", 1000)],
            {"1.1": Decimal(1100)},
            id="shaped-charge-forces-1.1",
        ),
        pytest.param(
            [
                lot(1, "C", "1.3", 100, high_energy_propellant=True),
                lot(2, "D", "1.2.1", 200),
                lot(3, "S", "1.4", 50),
            ],
            {"1.1": Decimal(300), "1.4": Decimal(50)},
            id="high-energy-propellant-forces-1.1-less-1.4",
        ),
        pytest.param(
            [lot(1, "D", "1.2.1", 100, per_unit="5.001"), lot(2, "D", "1.2.2", 50)],
            {"1.1": Decimal(150)},
            id="1.2.1-over-5kg-per-item-forces-1.1",
        ),
        pytest.param(
            [lot(1, "D", "1.2.1", 100, per_unit=5), lot(2, "D", "1.2.2", 50)],
            {"1.2.1": Decimal(150), "1.2.2": Decimal(50)},
            id="1.2.1-at-5kg-per-item-does-not-force",
        ),
        pytest.param(
            [lot(1, "D", "1.2.2", 100, per_unit=6), lot(2, "C", "1.3", 10)],
            {"1.2.2": Decimal(100), "1.3": Decimal(10)},
            id="1.2.2-over-5kg-per-item-does-not-force",
        ),
        pytest.param(
            [lot(1, "S", "1.4", 10, shaped_charge=True), lot(2, "C", "1.3", 100)],
            {"1.3": Decimal(100), "1.4": Decimal(10)},
            id="flagged-1.4-does-not-force",
        ),
        pytest.param(
            [lot(1, "D", "1.2.1", 300), lot(2, "D", "1.2.2", 200)],
            {"1.2.1": Decimal(500), "1.2.2": Decimal(200)},
            id="1.2.1-with-1.2.2",
        ),
        pytest.param(
            [lot(1, "D", "1.2.1", 300), lot(2, "D", "1.2.2", 200), lot(3, "C", "1.3", 100)],
            {"1.2.1": Decimal(500), "1.2.2": Decimal(200), "1.3": Decimal(100)},
            id="1.2.1-with-1.2.2-and-1.3",
        ),
        pytest.param(
            [lot(1, "D", "1.1", 100), lot(2, "D", "1.2.1", 300)],
            {"1.1": Decimal(400), "1.2.1": Decimal(400)},
            id="1.1-with-1.2.1",
        ),
        pytest.param(
            [lot(1, "D", "1.1", 100), lot(2, "D", "1.2.2", 300)],
            {"1.1": Decimal(400), "1.2.2": Decimal(400)},
            id="1.1-with-1.2.2",
        ),
        pytest.param(
            [
                lot(1, "D", "1.1", 100),
                lot(2, "D", "1.2.1", 300),
                lot(3, "D", "1.2.2", 200),
                lot(4, "C", "1.3", 1000),
                lot(5, "S", "1.4", 9),
            ],
            {"1.1": Decimal(1600), "1.2.1": Decimal(1600), "1.4": Decimal(9)},
            id="1.1-with-both-1.2-and-1.3-worst-is-1.2.1",
        ),
        pytest.param(
            [lot(1, "D", "1.1", 100), lot(2, "D", "1.2.2", 200), lot(3, "C", "1.3", 1000)],
            {"1.1": Decimal(1300), "1.2.2": Decimal(1300)},
            id="1.1-with-1.2.2-and-1.3",
        ),
        pytest.param(
            [lot(1, "D", "1.1", 100), lot(2, "C", "1.3", 1000)],
            {"1.1": Decimal(1100)},
            id="1.1-with-1.3",
        ),
        pytest.param(
            [lot(1, "D", "1.2.1", 300), lot(2, "C", "1.3", 1000)],
            {"1.2.1": Decimal(300), "1.3": Decimal(1000)},
            id="1.2.1-with-1.3-no-aggregation",
        ),
        pytest.param(
            [lot(1, "D", "1.2.2", 300), lot(2, "C", "1.3", 1000)],
            {"1.2.2": Decimal(300), "1.3": Decimal(1000)},
            id="1.2.2-with-1.3-no-aggregation",
        ),
        pytest.param(
            [lot(1, "C", "1.3", "0.125"), lot(2, "C", "1.3", "1000.5")],
            {"1.3": Decimal("1000.625")},
            id="1.3-alone-summed",
        ),
        pytest.param([lot(1, "D", "1.2.1", 300)], {"1.2.1": Decimal(300)}, id="1.2.1-alone"),
    ],
)
def test_aggregation_order(holdings, expected):
    assert assessed(holdings) == expected


@pytest.mark.parametrize(
    ("counts_as", "expected"),
    [
        ("1.1", {"1.1": Decimal(400)}),
        ("1.2.1", {"1.2.1": Decimal(300), "1.3": Decimal(100)}),
        ("1.2.2", {"1.2.2": Decimal(300), "1.3": Decimal(100)}),
        ("1.3", {"1.3": Decimal(400)}),
    ],
)
def test_aggregation_1_6_follows_policy(counts_as, expected):
    policy = StoragePolicy(hd_1_6_counts_as=counts_as)
    assert assessed([lot(1, "N", "1.6", 300), lot(2, "C", "1.3", 100)], policy) == expected


@pytest.mark.parametrize(
    ("counts_as", "expected"),
    [
        # DESIGN.md §4: 1.6 counts as 1.1, so "1.1 with 1.2": the sum as 1.1 and as 1.2.1.
        ("1.1", {"1.1": Decimal(1300), "1.2.1": Decimal(1300)}),
        ("1.2.1", {"1.2.1": Decimal(1300)}),
        # "1.2.1 with 1.2.2": the sum as 1.2.1, the 1.2.2 (here the 1.6) also alone.
        ("1.2.2", {"1.2.1": Decimal(1300), "1.2.2": Decimal(300)}),
        # Counted as 1.3 it would escape ("1.2 with 1.3: no aggregation"): beside 1.2 it counts
        # as 1.1, as AASTP-1 mixes 1.6 with 1.2.
        ("1.3", {"1.1": Decimal(1300), "1.2.1": Decimal(1300)}),
    ],
)
def test_1_6_with_1_2_1_is_aggregated_under_every_allowed_policy(counts_as, expected):
    policy = StoragePolicy(hd_1_6_counts_as=counts_as)
    holdings = [lot(1, "N", "1.6", 300), lot(2, "D", "1.2.1", 1000)]
    assert assessed(holdings, policy) == expected
    assessments = neq_assessments(holdings, policy)
    assert any(a.lot_numbers == ("LOT-1", "LOT-2") for a in assessments)


@pytest.mark.parametrize("counts_as", ["1.1", "1.2.1", "1.2.2", "1.3"])
def test_1_6_is_storable_under_a_licence_for_every_allowed_policy(counts_as):
    policy = StoragePolicy(hd_1_6_counts_as=counts_as)
    holdings = [lot(1, "N", "1.6", 300)]
    assert licence_breaches(holdings, {counts_as: Decimal(300)}, policy) == []
    [breach] = licence_breaches(holdings, {"1.4": None}, policy)
    assert (breach.code, breach.division) == (LICENCE_EXCEEDED, counts_as)
    assert f"(HD 1.6 counts as {counts_as})" in breach.message


def test_1_6_counted_as_1_3_beside_1_2_needs_the_1_1_limit():
    policy = StoragePolicy(hd_1_6_counts_as="1.3")
    holdings = [lot(1, "N", "1.6", 300), lot(2, "D", "1.2.2", 100)]
    limits = {"1.1": Decimal(400), "1.2.2": Decimal(400)}
    assert licence_breaches(holdings, limits, policy) == []
    [breach] = licence_breaches(holdings, {"1.2.2": Decimal(400), "1.3": None}, policy)
    assert (breach.division, breach.lot_numbers) == ("1.1", ("LOT-1",))
    assert "(HD 1.6 counts as 1.1)" in breach.message


def test_aggregation_forcing_threshold_is_policy():
    holdings = [lot(1, "D", "1.2.1", 100, per_unit=6)]
    assert assessed(holdings) == {"1.1": Decimal(100)}
    assert assessed(holdings, StoragePolicy(forcing_neq_per_item_kg=Decimal(10))) == {
        "1.2.1": Decimal(100)
    }


def test_assessment_names_lots_and_reason():
    holdings = [lot(2, "D", "1.5", 1000), lot(1, "D", "1.2.1", 9000), lot(3, "S", "1.4", 1)]
    assert [(a.division, a.lot_numbers, a.reason) for a in neq_assessments(holdings)] == [
        (
            "1.1",
            ("LOT-1", "LOT-2"),
            "HD 1.1 with 1.2.1: the sum is assessed as 1.1 and as 1.2.1; HD 1.5 counts as 1.1",
        ),
        (
            "1.2.1",
            ("LOT-1", "LOT-2"),
            "HD 1.1 with 1.2.1: the sum is assessed as 1.1 and as 1.2.1; HD 1.5 counts as 1.1",
        ),
        ("1.4", ("LOT-3",), "HD 1.4 is never aggregated"),
    ]


def test_assessment_reason_lists_every_division_summed():
    holdings = [lot(1, "D", "1.1"), lot(2, "D", "1.2.2"), lot(3, "D", "1.2.1"), lot(4, "C", "1.3")]
    assert {a.reason for a in neq_assessments(holdings)} == {
        "HD 1.1 with 1.2.1, 1.2.2 and 1.3: the sum is assessed as 1.1 and as 1.2.1"
    }


def test_assessment_forced_names_the_forcing_lot():
    [assessment] = neq_assessments([lot(1, "C", "1.3"), lot(2, "D", "1.2.1", per_unit="7.5")])
    assert assessment.reason == (
        "lot LOT-2 is HD 1.2.1 with 7.5 kg NEQ per item, over 5 kg, so the whole storehouse NEQ "
        "less HD 1.4 is assessed as 1.1"
    )


@pytest.mark.parametrize("counts_as", ["1.6", "1.4", "1.5", "1.2", "2", "", None, 1.1])
def test_policy_rejects_impossible_1_6_division(counts_as):
    """A licence has no 1.6 key (DESIGN.md §4 rule 3): counted as "1.6", 1.6 stock could never
    be stored; 1.4 is never aggregated; the rest are not divisions."""
    with pytest.raises(ValueError, match=re.escape("HD 1.6 cannot be counted as")) as excinfo:
        StoragePolicy(hd_1_6_counts_as=counts_as)
    assert "use one of 1.1, 1.2.1, 1.2.2, 1.3" in str(excinfo.value)


# Items per unit of issue: rules about items read NEQ per item


@pytest.mark.parametrize(
    ("per_unit", "items", "expected"),
    [
        ("6", 1, {"1.1": Decimal(100)}),  # one 6 kg item: forced to 1.1
        ("6", 2, {"1.2.1": Decimal(100)}),  # a box of two 3 kg items: not forced
        ("10.002", 2, {"1.1": Decimal(100)}),  # 5.001 kg per item
        ("10", 2, {"1.2.1": Decimal(100)}),  # exactly 5 kg per item is not over
    ],
)
def test_the_5_kg_rule_reads_neq_per_item(per_unit, items, expected):
    holdings = [lot(1, "D", "1.2.1", 100, per_unit=per_unit, items_per_unit=items)]
    assert assessed(holdings) == expected


def test_the_forcing_reason_gives_neq_per_item():
    [assessment] = neq_assessments([lot(1, "D", "1.2.1", per_unit=15, items_per_unit=2)])
    assert assessment.reason.startswith("lot LOT-1 is HD 1.2.1 with 7.5 kg NEQ per item, over 5")


@pytest.mark.parametrize("items", [0, -1, True, "2", 1.5])
def test_holding_refuses_items_per_unit_that_is_not_a_positive_integer(items):
    with pytest.raises((TypeError, ValueError), match="LOT-1: items_per_unit"):
        lot(1, items_per_unit=items)


@pytest.mark.parametrize(
    ("division", "neq_per_unit", "items", "expected"),
    [
        ("1.2.1", "0.2", 1, None),
        ("1.2.1", "0.2", 2, "1.2.2"),  # 0.1 kg per item
        ("1.2.2", "0.2", 1, "1.2.1"),
        ("1.2.2", "0.136", 1, None),  # at the threshold: 1.2.2
        ("1.2.1", "0.272", 2, "1.2.2"),
        ("1.2.2", "2.72", 10, "1.2.1"),  # 0.272 kg per item
        ("1.1", "0.001", 1, None),  # only 1.2 sub-divisions are checked
        ("1.4", "9", 1, None),
    ],
)
def test_the_1_2_sub_division_is_checked_against_he_per_item(
    division, neq_per_unit, items, expected
):
    he_per_item = per_item_kg(Decimal(neq_per_unit), items)
    assert hazard_subdivision_1_2_contradiction(division, he_per_item, Decimal("0.136")) == expected


# Rule 3: licence limits


def test_licence_within_limits():
    holdings = [lot(1, "D", "1.1", 1000), lot(2, "C", "1.3", 5000)]
    assert licence_breaches(holdings, {"1.1": Decimal(6001), "1.3": Decimal(0)}) == []


def test_licence_exactly_at_limit_is_within():
    holdings = [lot(1, "D", "1.1", "1000.000"), lot(2, "D", "1.2.1", 9000)]
    assert (
        licence_breaches(holdings, {"1.1": Decimal("10000"), "1.2.1": Decimal("10000.000")}) == []
    )


def test_licence_exceeded_by_a_gram():
    holdings = [lot(1, "D", "1.1", "1000.001"), lot(2, "D", "1.2.1", 9000)]
    [breach] = licence_breaches(holdings, {"1.1": Decimal("20000"), "1.2.1": Decimal("10000")})
    assert (breach.code, breach.rule, breach.division, breach.neq_kg, breach.limit_kg) == (
        LICENCE_EXCEEDED,
        "licence",
        "1.2.1",
        Decimal("10000.001"),
        Decimal("10000"),
    )
    assert breach.lot_numbers == ("LOT-1", "LOT-2")
    assert breach.message == (
        "NEQ assessed as HD 1.2.1 is 10,000.001 kg, above the licence limit of 10,000 kg "
        "(HD 1.1 with 1.2.1: the sum is assessed as 1.1 and as 1.2.1; lots LOT-1, LOT-2)."
    )


def test_licence_unlimited_division():
    holdings = [lot(1, "S", "1.4", 10**9)]
    assert licence_breaches(holdings, {"1.4": None}) == []


def test_licence_absent_key_means_not_permitted():
    holdings = [lot(1, "D", "1.1", 1000), lot(2, "C", "1.3", 5000)]
    [breach] = licence_breaches(holdings, {"1.1": Decimal(10000)})
    assert (breach.code, breach.division, breach.neq_kg, breach.limit_kg) == (
        LICENCE_EXCEEDED,
        "1.3",
        Decimal(5000),
        None,
    )
    assert (
        breach.message == "The licence does not permit HD 1.3: lot LOT-2 would hold 5,000 kg of it."
    )


def test_licence_absent_1_4_key():
    [breach] = licence_breaches([lot(1, "S", "1.4", 5)], {"1.1": None})
    assert (breach.code, breach.division) == (LICENCE_EXCEEDED, "1.4")


def test_licence_1_5_needs_a_1_1_limit():
    [breach] = licence_breaches([lot(1, "D", "1.5", 20)], {"1.3": None, "1.4": None})
    assert (breach.division, breach.neq_kg) == ("1.1", Decimal(20))
    assert breach.message == (
        "The licence does not permit HD 1.1 (HD 1.5 counts as 1.1): "
        "lot LOT-1 would hold 20 kg of it."
    )
    assert licence_breaches([lot(1, "D", "1.5", 20)], {"1.1": Decimal(20)}) == []


def test_licence_forced_1_1_needs_a_1_1_limit():
    holdings = [lot(1, "D", "1.2.1", 100, shaped_charge=True)]
    [breach] = licence_breaches(holdings, {"1.2.1": None})
    assert (breach.division, breach.neq_kg, breach.limit_kg) == ("1.1", Decimal(100), None)
    assert breach.message.endswith("but the licence does not permit HD 1.1.")


def test_licence_forced_1_1_is_checked_against_the_1_1_limit():
    holdings = [lot(1, "D", "1.2.1", 100, shaped_charge=True), lot(2, "C", "1.3", 50)]
    limits = {"1.1": Decimal(149), "1.2.1": None, "1.3": None}
    assert [(b.division, b.neq_kg) for b in licence_breaches(holdings, limits)] == [
        ("1.1", Decimal(150))
    ]


def test_licence_aggregate_checked_against_both_limits():
    holdings = [lot(1, "D", "1.1", 1000), lot(2, "D", "1.2.1", 9000)]
    limits = {"1.1": Decimal(9999), "1.2.1": Decimal(9999)}
    assert [(b.division, b.neq_kg) for b in licence_breaches(holdings, limits)] == [
        ("1.1", Decimal(10000)),
        ("1.2.1", Decimal(10000)),
    ]


def test_licence_1_4_against_its_own_limit_only():
    holdings = [lot(1, "C", "1.3", 1000), lot(2, "S", "1.4", 50000)]
    assert licence_breaches(holdings, {"1.3": Decimal(1000), "1.4": Decimal(50000)}) == []
    assert [
        b.division
        for b in licence_breaches(holdings, {"1.3": Decimal(1000), "1.4": Decimal(49999)})
    ] == ["1.4"]


def test_no_licence_in_force():
    [breach] = licence_breaches([lot(2), lot(1)], None)
    assert (breach.code, breach.rule, breach.lot_numbers) == (
        NO_LICENCE,
        "licence",
        ("LOT-1", "LOT-2"),
    )
    assert licence_breaches([], None) == []


@pytest.mark.parametrize(
    ("limits", "error"),
    [
        ({"1.2": Decimal(1)}, ValueError),
        ({"1.1": 5.0}, TypeError),
        ({"1.1": Decimal(-1)}, ValueError),
        ({"1.1": Decimal("NaN")}, ValueError),
    ],
)
def test_licence_rejects_bad_limits(limits, error):
    with pytest.raises(error):
        licence_breaches([lot(1)], limits)


# All rules together, and the holdings themselves


def test_storage_breaches_runs_every_rule_in_order():
    holdings = [
        lot(1, "A", "1.1", 10),
        lot(2, "D", "1.1", 100, availability="suspended", isolate=True),
        lot(3, "D", "1.2.2", 50),
    ]
    breaches = storage_breaches(holdings, matrix=MATRIX, limits={"1.1": Decimal(100)})
    assert [(b.code, b.division) for b in breaches] == [
        (STORAGE_INCOMPATIBLE, None),
        (SUSPECT_ISOLATION, None),
        (LICENCE_EXCEEDED, "1.2.2"),
        (LICENCE_EXCEEDED, "1.1"),
    ]


def test_storage_breaches_with_waivers():
    holdings = [lot(1, "F"), lot(2, "D", availability="unserviceable", isolate=True), lot(3, "G")]
    limits = {"1.1": None}
    assert {b.code for b in storage_breaches(holdings, matrix=MATRIX, limits=limits)} == {
        STORAGE_INCOMPATIBLE,
        SUSPECT_ISOLATION,
    }
    assert (
        storage_breaches(
            holdings,
            matrix=MATRIX,
            limits=limits,
            waived_notes=WAIVERS,
            isolation_waived=True,
        )
        == []
    )


def test_storage_breaches_clean_storehouse():
    holdings = [lot(1, "D", "1.1", 500), lot(2, "C", "1.3", 500), lot(3, "S", "1.4", 500)]
    limits = {"1.1": Decimal(1000), "1.3": Decimal(500), "1.4": None}
    assert storage_breaches(holdings, matrix=MATRIX, limits=limits) == []


def test_one_holding_per_lot():
    with pytest.raises(ValueError, match="lot LOT-1 is given twice"):
        storage_breaches([lot(1), lot(1, "S", "1.4")], matrix=MATRIX, limits={})


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"hazard_division": "1.2"}, ValueError),
        ({"compatibility_group": "I"}, ValueError),
        ({"availability": "lost"}, ValueError),
        ({"neq_kg": 1.5}, TypeError),
        ({"neq_per_unit_kg": 1}, TypeError),
        ({"neq_kg": Decimal("-0.001")}, ValueError),
        ({"neq_kg": Decimal("NaN")}, ValueError),
        ({"neq_per_unit_kg": Decimal("Infinity")}, ValueError),
    ],
)
def test_holding_rejects_bad_values(fields, error):
    with pytest.raises(error):
        replace(lot(1), **fields)


# Properties


@st.composite
def holding_lists(draw, divisions=HAZARD_DIVISIONS, max_size=7):
    size = draw(st.integers(0, max_size))
    return [
        Holding(
            lot_id=lot_id,
            lot_number=f"LOT-{lot_id:03d}",
            ammunition_type_id=draw(st.integers(1, 4)),
            hazard_division=draw(st.sampled_from(divisions)),
            compatibility_group=draw(st.sampled_from(COMPATIBILITY_GROUPS)),
            neq_kg=draw(st.decimals(0, 100000, places=3)),
            neq_per_unit_kg=draw(st.decimals(0, 20, places=6)),
            availability=draw(st.sampled_from(AVAILABILITIES)),
            shaped_charge=draw(st.booleans()) and draw(st.booleans()),
            high_energy_propellant=draw(st.booleans()) and draw(st.booleans()),
            compatible_family=draw(st.sampled_from([None, "x", "y"])),
            assembles_to=draw(st.none() | st.frozensets(st.integers(1, 4))),
            isolate=draw(st.booleans()),
        )
        for lot_id in range(1, size + 1)
    ]


@PROPERTY
@given(
    a=st.sampled_from(COMPATIBILITY_GROUPS),
    b=st.sampled_from(COMPATIBILITY_GROUPS),
    same_type=st.booleans(),
    waived=st.sampled_from([frozenset(), frozenset({"n2"}), frozenset({"n4"}), WAIVERS]),
)
def test_property_pair_outcome_is_symmetric(a, b, same_type, waived):
    type_id = 1 if same_type else None
    forward = compatibility_breaches(
        [lot(1, a, type_id=type_id), lot(2, b, type_id=type_id)], MATRIX, waived
    )
    backward = compatibility_breaches(
        [lot(1, b, type_id=type_id), lot(2, a, type_id=type_id)], MATRIX, waived
    )
    assert [(set(x.groups), x.note, x.waivable) for x in forward] == [
        (set(x.groups), x.note, x.waivable) for x in backward
    ]


@PROPERTY
@given(data=st.data(), holdings=holding_lists())
def test_property_order_of_holdings_does_not_matter(data, holdings):
    shuffled = data.draw(st.permutations(holdings))
    limits = {"1.1": Decimal(50000), "1.2.2": None, "1.3": Decimal(100000)}
    assert storage_breaches(shuffled, matrix=MATRIX, limits=limits) == storage_breaches(
        holdings, matrix=MATRIX, limits=limits
    )


@PROPERTY
@given(
    holdings=holding_lists(divisions=[d for d in HAZARD_DIVISIONS if d != "1.4"]),
    extra=st.lists(st.tuples(st.decimals(0, 10**6, places=3), st.booleans(), st.booleans())),
)
def test_property_1_4_never_changes_another_assessment(holdings, extra):
    with_1_4 = holdings + [
        lot(100 + i, "S", "1.4", neq, shaped_charge=sc, high_energy_propellant=hep)
        for i, (neq, sc, hep) in enumerate(extra)
    ]
    without = neq_assessments(holdings)
    assert [a for a in neq_assessments(with_1_4) if a.division != "1.4"] == without


@PROPERTY
@given(holdings=holding_lists())
def test_property_assessments_cover_every_lot_and_sum_their_lots(holdings):
    by_id = {h.lot_id: h for h in holdings}
    assessments = neq_assessments(holdings)
    assert len({a.division for a in assessments}) == len(assessments)
    for a in assessments:
        assert a.neq_kg == sum((by_id[i].neq_kg for i in a.lot_ids), Decimal(0))
        assert (a.division == "1.4") == all(by_id[i].hazard_division == "1.4" for i in a.lot_ids)
    covered = {i for a in assessments for i in a.lot_ids}
    assert covered == set(by_id)


@PROPERTY
@given(holdings=holding_lists())
def test_property_licence_at_total_neq_everywhere_is_never_exceeded(holdings):
    total = sum((h.neq_kg for h in holdings), Decimal(0))
    assert licence_breaches(holdings, dict.fromkeys(HAZARD_DIVISIONS, total)) == []
    assert licence_breaches(holdings, dict.fromkeys(HAZARD_DIVISIONS)) == []


@PROPERTY
@given(
    holdings=holding_lists(),
    waived=st.sampled_from([frozenset({"n2"}), frozenset({"n4"}), WAIVERS]),
)
def test_property_waivers_only_remove_waivable_breaches(holdings, waived):
    without = compatibility_breaches(holdings, MATRIX)
    with_waivers = compatibility_breaches(holdings, MATRIX, waived)
    assert set(with_waivers) <= set(without)
    assert {b for b in without if b.note not in waived} == set(with_waivers)


@PROPERTY
@given(holdings=holding_lists())
def test_property_isolation_breaches_are_the_isolating_lots(holdings):
    isolating = [h for h in holdings if h.isolate]
    breaches = isolation_breaches(holdings)
    assert len(breaches) == (len(isolating) if len(holdings) > 1 else 0)
    assert isolation_breaches(holdings, waived=True) == []


@PROPERTY
@given(holdings=holding_lists())
def test_property_one_group_one_type_is_always_compatible(holdings):
    same = [replace(h, compatibility_group="D", ammunition_type_id=1) for h in holdings]
    assert compatibility_breaches(same, MATRIX) == []


def test_matrix_type_is_constructible_from_cells():
    assert MixingMatrix(MATRIX.cells) == MATRIX
