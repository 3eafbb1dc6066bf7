"""The explosive limit licence (report kind `explosive_licence`, DESIGN.md §13): one licence
with its storehouse, structure, exposed sites and distances, the NEQ per division QD permits,
the governing sites and the rules used. Found at start-up by ReportsConfig.ready.

It covers no ledger line: it digests the figures it prints (record digest), so a later change
of a distance, a site or the licence's limits makes the verification say the figures changed.
"""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inventory.models import Licence
from inventory.selectors.reference import licence_list
from qd import rules
from qd.selectors import storehouse_sites
from reports.builders.record import RecordReport
from reports.kinds import Block, Content, Table
from reports.kinds import register as register_kind
from reports.models import ReportKind


def _kg(value) -> str:
    return _("unlimited") if value is None else f"{int(value):,}"


class ExplosiveLicence(RecordReport):
    kind = ReportKind.EXPLOSIVE_LICENCE
    parameter = "licence"
    label_of_id = gettext_lazy("Licence (id)")
    id_required = True
    tabular = True

    def readable(self, user):
        return licence_list(user=user).annotate(depot_id=F("storehouse__depot_id"))

    def depot_of(self, licence):
        return licence.storehouse.depot

    def _figures(self, run):
        licence = (
            Licence.objects.select_related("storehouse__depot")
            .prefetch_related("limits")
            .get(pk=run.parameters["licence"])
        )
        storehouse = licence.storehouse
        sites = storehouse_sites(storehouse.pk)
        permitted = rules.back_calculate(sites, structure=storehouse.kind)
        limits = licence.limits_dict()
        beyond = rules.limits_within(limits, permitted) if sites else []
        rows = []
        for division, allowed in permitted.items():
            site = allowed.governing
            rows.append(
                {
                    "division": division,
                    "permitted": allowed.neq_kg,
                    "governing": site,
                    "licensed": division in limits,
                    "limit": limits.get(division),
                    "beyond": division in beyond,
                    "rule": _rule_text(division, site),
                }
            )
        return licence, sites, rows, beyond

    def records(self, run):
        licence, sites, rows, beyond = self._figures(run)
        return {
            "licence": licence.pk,
            "number": licence.number,
            "valid_from": licence.valid_from,
            "valid_until": licence.valid_until,
            "storehouse": licence.storehouse.pk,
            "structure": licence.storehouse.kind,
            "limits": {d: None if v is None else str(v) for d, v in licence.limits_dict().items()},
            "sites": [[s.exposed_site_id, s.name, s.kind, str(s.distance_m)] for s in sites],
            "permitted": [
                [r["division"], r["permitted"], r["governing"].exposed_site_id if r["governing"]
                 else None]
                for r in rows
            ],
            "beyond": beyond,
        }  # fmt: skip

    def content(self, run, lines) -> Content:
        licence, sites, rows, beyond = self._figures(run)
        storehouse = licence.storehouse
        tables = rules.qd_tables()
        return Content(
            title=_("Explosive limit licence %(number)s") % {"number": licence.number},
            period=f"{licence.valid_from:%Y-%m-%d} – {licence.valid_until:%Y-%m-%d}",
            facts=[
                (_("Licence"), licence.number),
                (_("Issuing authority"), licence.issuing_authority or "—"),
                (_("Depot"), f"{storehouse.depot.code} {storehouse.depot.name}"),
                (_("Storehouse"), f"{storehouse.code} {storehouse.name}"),
                (_("Structure"), storehouse.get_kind_display()),
                (_("Rule for the structure"), rules.structure_rule(storehouse.kind, "").rule),
                (_("Exposed sites registered"), len(sites)),
                (
                    _("Licence within QD"),
                    (_("not assessed (no site)") if not sites else _("no") if beyond else _("yes")),
                ),
            ],
            blocks=[
                Block(
                    "qd/reports/licence.html",
                    {
                        "rows": rows,
                        "sites": [{"site": s, "label": tables.site_labels[s.kind]} for s in sites],
                        "rounding": tables.rounding,
                    },
                    rows=20 + len(rows) + len(sites),
                )
            ],
            signatures=[_("Prepared by"), _("Licensing authority")],
            table=Table(
                headers=[
                    "licence",
                    "division",
                    "permitted_neq_kg",
                    "governing_site",
                    "governing_distance_m",
                    "licensed_neq_kg",
                    "beyond_qd",
                ],
                rows=[
                    [
                        licence.number,
                        r["division"],
                        "" if r["permitted"] is None else r["permitted"],
                        r["governing"].name if r["governing"] else "",
                        str(r["governing"].distance_m) if r["governing"] else "",
                        (
                            "not permitted"
                            if not r["licensed"]
                            else "unlimited"
                            if r["limit"] is None
                            else str(r["limit"])
                        ),
                        r["beyond"],
                    ]
                    for r in rows
                ],
            ),
        )


def _rule_text(division: str, site) -> str:
    """Which distance rule bound the division (the function's source in the reference table)."""
    if site is None:
        return _("no registered site binds; the tables' range or none applies")
    tables = rules.qd_tables()
    key = tables.site_kinds[site.kind]
    as_division = tables.divisions[division].distances_as
    row = next(iter(tables.rows(as_division, key)), None)
    return row.source if row else ""


register_kind(ExplosiveLicence())
