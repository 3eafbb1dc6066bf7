"""The charts of surplus figures that both the dashboard and the national surplus report draw:
one definition of each, so that the page and the PDF show the same series under the same names."""

from __future__ import annotations

from django.utils.translation import gettext as _

from surplus import charts


def requirement_bars(prefix: str, title: str, desc: str, labels: list[str], rows, **options):
    """Requirement, usable stock and surplus, one group of bars per row; None without rows."""
    if not rows:
        return None
    series = [
        charts.Series(_("Requirement"), [row.requirement for row in rows]),
        charts.Series(_("Usable"), [row.usable for row in rows]),
        charts.Series(_("Surplus"), [row.surplus for row in rows]),
    ]
    return charts.bar_chart(prefix, title, desc, labels, series, **options)


def top_surplus_bars(prefix: str, desc: str, rows):
    """The surplus NEQ of the top types or groups, one bar per row; None without rows."""
    if not rows:
        return None
    series = [charts.Series(_("Surplus NEQ (kg)"), [row.surplus_neq_kg for row in rows])]
    labels = [row.code for row in rows]
    return charts.bar_chart(prefix, _("Top surplus types by NEQ (kg)"), desc, labels, series)
