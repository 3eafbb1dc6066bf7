"""The site sketch is to scale: a site sits at its distance on the same scale as the rings."""

import math
from decimal import Decimal

from qd import rules
from qd.sketch import MARGIN, SIZE, required_by_kind, sketch


def test_sites_and_rings_share_one_scale():
    required = required_by_kind({"1.1": Decimal(20000), "1.4": None})
    assert required["inhabited_building"] == 610
    assert required["storehouse"] == 98
    sites = [
        rules.Site(1, "Village", "inhabited_building", Decimal("480")),
        rules.Site(2, "ESH2", "storehouse", Decimal("120")),
    ]
    drawing = sketch(sites, required)
    centre = SIZE / 2
    ibd = next(r for r in drawing.rings if r.required_m == 610)
    village, esh2 = drawing.sites
    village_r = math.hypot(village.x - centre, village.y - centre)
    assert abs(village_r / ibd.radius - 480 / 610) < 0.01
    assert village.inside
    assert not esh2.inside
    # the largest ring (VBD 1,220 m) touches the margin
    assert max(r.radius for r in drawing.rings) == centre - MARGIN
    assert "Inhabited building" in ibd.label
    assert "high density" in ibd.label
