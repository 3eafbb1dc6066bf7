"""The dashboard's bar charts (issue 17): where categories differ by orders of magnitude, each is
drawn to its own scale, so no category's bars shrink to a pixel; a missing requirement is never a
zero-width bar passed off as zero."""

import re

from surplus.charts import Series, bar_chart

PLOT_WIDTH = 520


def _widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect x="180" y="[\d.]+" width="([\d.]+)"', svg)]


def test_shared_scale_lets_the_largest_category_flatten_the_rest():
    svg = bar_chart(
        "c", "t", "d", ["SAA", "Shells"], [Series("R", [2_000_000, 400]), Series("U", [1_000, 300])]
    )
    assert max(_widths(svg)[2:]) < 1  # the shells' bars: a fraction of a pixel


def test_per_row_scale_draws_every_category_readably():
    svg = bar_chart(
        "c",
        "t",
        "d",
        ["SAA", "Shells"],
        [Series("R", [2_000_000, 400]), Series("U", [1_000_000, 300])],
        per_row=True,
    )
    saa_requirement, saa_usable, shells_requirement, shells_usable = _widths(svg)
    assert saa_requirement == shells_requirement == PLOT_WIDTH  # each row's largest fills it
    assert saa_usable == PLOT_WIDTH / 2
    assert shells_usable == PLOT_WIDTH * 300 / 400
    assert "2,000,000" in svg  # the values are labelled


def test_a_missing_value_draws_no_bar_and_is_labelled_as_missing():
    svg = bar_chart("c", "t", "d", ["SAA"], [Series("R", [None]), Series("U", [10])], per_row=True)
    assert _widths(svg) == [0.0, PLOT_WIDTH]
    assert "—" in svg
