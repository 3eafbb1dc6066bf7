"""The distance functions against the published IATG 02.20 checks (DESIGN.md §13) and the
conventions of qd/rules.py: Table 7 rounding, minimums, back-calculation, mixed contents."""

from decimal import Decimal

import pytest

from qd import rules


@pytest.mark.parametrize(
    ("division", "neq", "expected"),
    [
        # DESIGN.md §13 public checks (Annex E, H, L).
        (
            "1.1",
            10_000,
            {
                "ibd": 480,
                "ptr_medium": 320,
                "ptr_low": 240,
                "vbd": 960,
                "pbd": 175,
                "imd": 78,
                "ptr_high": 480,
            },
        ),
        ("1.1", 1_000, {"ibd": 400, "pbd": 80, "imd": 36, "ptr_medium": 270}),
        ("1.2.1", 1_000, {"ibd": 260, "ptr_high": 260, "vbd": 260}),
        ("1.3", 100_000, {"ibd": 300, "ptr_high": 300, "vbd": 300}),
        # Annex E beyond the public checks: 22.2 Q^(1/3) with Table 7 rounding.
        ("1.1", 100_000, {"ibd": 1040, "ptr_medium": 690, "imd": 170, "pbd": 375}),
        ("1.1", 250_000, {"ibd": 1400, "vbd": 2800}),
        ("1.1", 50_000, {"ibd": 820, "ptr_medium": 550}),
        # HD 1.5 and 1.6 take the 1.1 distances.
        ("1.5", 10_000, {"ibd": 480}),
        ("1.6", 10_000, {"imd": 78}),
        # HD 1.4: fire separation only, whatever the NEQ.
        ("1.4", 1_000_000, dict.fromkeys(rules.DISTANCE_KEYS, 10)),
        # Minimums: 1.3 IMD 25 m, 1.2.2 D1 30 m, 1.2.1 D2 60 m.
        ("1.3", 1, {"imd": 25, "ibd": 60, "ptr_low": 60}),
        ("1.2.2", 1, {"ibd": 30, "ptr_medium": 21}),
        ("1.2.1", 1, {"ibd": 60}),
    ],
)
def test_published_distances(division, neq, expected):
    got = rules.distances(division, neq)
    assert {key: got[key] for key in expected} == expected


def test_ptr_medium_uses_the_corrected_factor_not_the_printed_erratum():
    # 3.667 Q^(1/2) at 4,000 kg is 231.9 -> 235; the printed 3.6 would give 227.7 -> 230. Both
    # are under the 270 m minimum, so compare the unrounded function.
    raw = rules.raw_distance("1.1", "ptr_medium", 4_000)
    assert raw == 270
    row = next(r for r in rules.qd_tables().rows("1.1", "ptr_medium") if r.holds(4_000))
    assert row.a == pytest.approx(3.667)


def test_no_distance_where_the_annex_gives_none():
    assert rules.distances("1.2.1", 1_000)["imd"] is None
    assert rules.distances("1.3", 1_000)["pbd"] is None


@pytest.mark.parametrize(
    ("distance", "expected"),
    [
        (77.56, 78),
        (99.2, 100),
        (100.0, 100),
        (100.1, 105),
        (478.3, 480),
        (500.0, 500),
        (501, 510),
        (956.6, 960),
        (1000.0, 1000),
        (1001, 1020),
        (79.99999999999999, 80),
    ],
)
def test_table_7_rounds_up_per_band(distance, expected):
    assert rules.round_up(distance) == expected


def test_back_calculation_rounds_down_to_the_kg():
    # DESIGN.md §13: an inhabited building at 480 m allows 10,107 kg of 1.1.
    assert rules.permitted_neq("1.1", "inhabited_building", Decimal("480")) == 10_107
    assert rules.distances("1.1", 10_107)["ibd"] == 480
    assert rules.distances("1.1", 10_108)["ibd"] == 485
    # nearer than the 400 m minimum: none, 0 (never None, which a licence reads as unlimited).
    assert rules.permitted_neq("1.1", "inhabited_building", Decimal("399.9")) == 0


def test_back_calculation_agrees_with_the_rounded_calculator():
    # 483 m: a Q whose raw distance is 481 m needs 485 m by Table 7, so only up to 480 m counts.
    assert rules.permitted_neq("1.1", "inhabited_building", 483) == 10_107


def test_hd_1_4_is_unlimited_beyond_fire_separation_and_nothing_within():
    assert rules.permitted_neq("1.4", "storehouse", 10) is None
    assert rules.permitted_neq("1.4", "storehouse", 9.5) == 0


def test_a_site_no_distance_applies_to_sets_no_bound():
    assert rules.permitted_neq("1.2.1", "process_building", 1) is None


def test_far_sites_are_capped_at_the_table_range():
    assert rules.permitted_neq("1.1", "inhabited_building", 100_000) == 250_000


def test_back_calculate_names_the_governing_site():
    sites = [
        rules.Site(1, "Village", "inhabited_building", Decimal("480")),
        rules.Site(2, "Road", "ptr_medium", Decimal("270")),
        rules.Site(3, "ESH 2", "storehouse", Decimal("40")),
    ]
    result = rules.back_calculate(sites)
    # IMD 3.6 Q^(1/3) <= 40 m -> Q <= 1,371 kg; the village would allow 10,107.
    assert result["1.1"].neq_kg == rules.permitted_neq("1.1", "storehouse", 40)
    assert result["1.1"].governing.name == "ESH 2"
    assert result["1.3"].governing.name in {"Village", "Road", "ESH 2"}
    assert result["1.4"].neq_kg is None
    assert result["1.4"].governing is None


def test_mixed_contents_follow_the_aggregation_rules():
    # reference/aggregation_examples.csv rows 1 and 2.
    assessed = rules.assess_contents({"1.1": Decimal(1000), "1.3": Decimal(5000)})
    assert [(a.division, a.neq_kg) for a in assessed] == [("1.1", Decimal(6000))]
    assessed = rules.assess_contents({"1.1": Decimal(1000), "1.2.1": Decimal(9000)})
    assert [(a.division, a.neq_kg) for a in assessed] == [
        ("1.1", Decimal(10000)),
        ("1.2.1", Decimal(10000)),
    ]
    assert rules.mixed_distances(assessed)["ibd"] == 480  # 1.1's 480 over 1.2.1's 370


def test_mixed_distances_take_the_largest_over_unaggregated_pairs():
    assessed = rules.assess_contents({"1.2.1": Decimal(10000), "1.3": Decimal(100_000)})
    assert {a.division for a in assessed} == {"1.2.1", "1.3"}
    got = rules.mixed_distances(assessed)
    assert got["ibd"] == 370  # 1.2.1's 370 m over 1.3's 300 m
    assert got["imd"] == 70  # only 1.3 has an IMD


def test_limits_within_flags_unlimited_and_excess():
    permitted = rules.back_calculate([rules.Site(1, "V", "inhabited_building", Decimal(480))])
    assert rules.limits_within({"1.1": Decimal(10_107)}, permitted) == []
    assert rules.limits_within({"1.1": Decimal(10_108)}, permitted) == ["1.1"]
    assert rules.limits_within({"1.1": None}, permitted) == ["1.1"]
    assert rules.limits_within({"1.4": None}, permitted) == []


def test_reference_tables_refuse_an_unknown_form(tmp_path):
    for path in rules.REFERENCE_DIR.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text())
    functions = tmp_path / "qd_functions.csv"
    functions.write_text(functions.read_text().replace(",power,", ",cubic,", 1))
    with pytest.raises(ValueError, match="unknown form"):
        rules.tables_from_dir(tmp_path)
