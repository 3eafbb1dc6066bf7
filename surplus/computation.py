"""The surplus computation (DESIGN.md §9), set-based: one SQL statement whatever the number of lots.

Subjects. Surplus is computed per *subject*: an ammunition type, or the group of interchangeable
types it belongs to (then the group's requirement applies and its types' lots are consumed
together). In SQL a subject is one integer key `sk`: the type's id, or minus the group's id.

Stock is counted per *item*: one lot's stock in one depot (its storehouses summed), classed by
the lot's condition availability:

- serviceable: issuable or restricted; within it, `obsolete_or_banned` when the type is flagged
  obsolete or a ban (not a constraint) whose remedy is disposal binds the type, the lot or a lot
  it was split from; stock under a temporary ban stays serviceable and is shown as `banned`;
- suspended: shown, counted neither as serviceable nor as surplus;
- unserviceable: unserviceable availability, or a lot whose identity is lost (§5: never
  issuable, flagged for disposal); reparable conditions (policy, default F) are counted here only
  when the policy switch `surplus_count_reparable` is on, otherwise they are shown as `reparable`;
- in transit: stock of transfers dispatched and not yet received, counted at the destination
  depot, shown only.

Expiring before use. Training consumes a subject's serviceable, not obsolete-or-banned items
first-expiry-first (then lot id, then depot id) at the requirement's annual rate r from today.
With `A_i` the running sum of quantities and `c_i = floor(r·e_i)` the consumption possible before
item i expires (`e_i` its years to the day after its expiry date, its last valid day, as
alerts and issues read it; 0 once expired; items without expiry put no limit), the
quantity consumed from the first i items is `D_i = A_i + min(0, min_{k<=i}(c_k - A_k))` (a running
minimum: a window function). Item i's rest `q_i - (D_i - D_{i-1})` counts as expiring before use
when it expires within the policy horizon. Items of one lot in several depots are consecutive in
the order, so each lot's total is exactly that of the formula applied to lots.

No requirement. A subject with no requirement in force (or a group mixing units of issue) is not
assessed: requirement NULL, excess 0; a missing requirement is never read as zero (§9).

Per depot. Unserviceable, expiring and obsolete stock count where they lie; the national excess
`max(0, usable - requirement)` is shared among depots in proportion to their usable stock, in
whole units (largest remainder, ties to the lower depot id), so depot shares add up to the
national excess exactly. Each component's NEQ comes from its lots' own NEQ per unit; a share of
the excess takes the subject's national average NEQ per usable unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from surplus.policy import SurplusPolicy

# The bans on whole types, and the requirement in force per subject (the latest version of the
# latest effective one; a grouped type's own requirement does not count).
_TYPE_BANS_AND_REQUIREMENTS = """
banned_type AS (
    SELECT ban.ammunition_type_id, bool_or(ban.disposal_recommended) AS disposal
    FROM surveillance_ban ban
    WHERE ban.kind = 'ban' AND ban.lifted_at IS NULL AND ban.ammunition_type_id IS NOT NULL
    GROUP BY ban.ammunition_type_id
),
req AS (
    SELECT DISTINCT ON (coalesce(-r.group_id, r.ammunition_type_id))
           coalesce(-r.group_id, r.ammunition_type_id) AS sk,
           (r.operational + r.training_per_year * r.training_years + r.testing
            + r.contingency)::bigint AS total,
           r.training_per_year AS rate
    FROM surplus_requirement r
    LEFT JOIN surplus_groupmember m ON m.ammunition_type_id = r.ammunition_type_id
    WHERE r.effective_from <= %(today)s::date AND m.id IS NULL
      AND (%(sk)s::bigint IS NULL OR coalesce(-r.group_id, r.ammunition_type_id) = %(sk)s)
    ORDER BY coalesce(-r.group_id, r.ammunition_type_id), r.effective_from DESC, r.version DESC
),
"""

# Stock-bearing rows: lot x depot in storehouses, plus lot x destination depot in transit.
_ITEMS = "".join(
    (
        """
WITH RECURSIVE
held AS (
    SELECT b.lot_id, b.depot_id, sum(b.quantity)::bigint AS q, false AS transit
    FROM inventory_balance b
    WHERE b.quantity > 0
    GROUP BY b.lot_id, b.depot_id
    UNION ALL
    SELECT line.lot_id, doc.destination_depot_id, (-sum(line.quantity))::bigint, true
    FROM inventory_document doc
    JOIN inventory_ledgerline line ON line.document_id = doc.id
    WHERE doc.kind = 'transfer' AND doc.status = 'in_transit'
      AND NOT EXISTS (SELECT 1 FROM inventory_document rev WHERE rev.reverses_id = doc.id)
    GROUP BY line.lot_id, doc.destination_depot_id
),
item0 AS (
    SELECT h.lot_id, h.depot_id, h.q, h.transit, lot.ammunition_type_id AS type_id,
           coalesce(-m.group_id, lot.ammunition_type_id) AS sk,
           lot.expires_on, lot.condition, lot.identity_lost, lot.parent_id,
           coalesce(lot.neq_per_unit_kg, t.neq_per_unit_kg) AS neq,
           t.obsolete, cc.availability
    FROM held h
    JOIN inventory_lot lot ON lot.id = h.lot_id
    JOIN inventory_ammunitiontype t ON t.id = lot.ammunition_type_id
    JOIN inventory_conditioncode cc ON cc.code = lot.condition
    LEFT JOIN surplus_groupmember m ON m.ammunition_type_id = lot.ammunition_type_id
    WHERE h.q > 0
      AND (%(sk)s::bigint IS NULL OR coalesce(-m.group_id, lot.ammunition_type_id) = %(sk)s)
),
lineage(lot_id, ancestor_id) AS (
    SELECT DISTINCT lot_id, parent_id FROM item0 WHERE parent_id IS NOT NULL
    UNION
    SELECT lineage.lot_id, lot.parent_id
    FROM lineage JOIN inventory_lot lot ON lot.id = lineage.ancestor_id
    WHERE lot.parent_id IS NOT NULL
),
banned_lot AS (
    SELECT ban.lot_id, ban.disposal_recommended AS disposal FROM surveillance_ban ban
    WHERE ban.kind = 'ban' AND ban.lifted_at IS NULL AND ban.lot_id IS NOT NULL
    UNION
    SELECT lineage.lot_id, ban.disposal_recommended FROM lineage
    JOIN surveillance_ban ban ON ban.lot_id = lineage.ancestor_id
    WHERE ban.kind = 'ban' AND ban.lifted_at IS NULL
),
""",
        _TYPE_BANS_AND_REQUIREMENTS,
        """item AS (
    SELECT i.*,
        CASE
            WHEN i.transit THEN 'in_transit'
            WHEN i.identity_lost THEN 'unserviceable'
            WHEN i.availability = 'unserviceable' AND i.condition = ANY(%(reparable)s::text[])
                 AND NOT %(count_reparable)s THEN 'reparable'
            WHEN i.availability IN ('issuable', 'restricted') THEN
                CASE WHEN i.obsolete OR coalesce(bt.disposal, false)
                          OR coalesce(bl.disposal, false)
                     THEN 'obsolete_or_banned' ELSE 'serviceable' END
            ELSE i.availability
        END AS class,
        (bt.ammunition_type_id IS NOT NULL OR bl.lot_id IS NOT NULL) AS banned
    FROM item0 i
    LEFT JOIN banned_type bt ON bt.ammunition_type_id = i.type_id
    LEFT JOIN (SELECT lot_id, bool_or(disposal) AS disposal FROM banned_lot GROUP BY lot_id) bl
        ON bl.lot_id = i.lot_id
),
fefo1 AS (
    SELECT item.*,
        sum(item.q) OVER w AS a,
        CASE WHEN item.expires_on IS NULL THEN NULL
             WHEN item.expires_on < %(today)s::date THEN 0
             ELSE floor(coalesce(req.rate, 0) * (
                 (extract(year FROM age(item.expires_on + 1, %(today)s::date)) * 12
                  + extract(month FROM age(item.expires_on + 1, %(today)s::date))) / 12
                 + extract(day FROM age(item.expires_on + 1, %(today)s::date)) / 365.25))
        END - sum(item.q) OVER w AS slack
    FROM item LEFT JOIN req ON req.sk = item.sk
    WINDOW w AS (PARTITION BY item.sk, item.class = 'serviceable'
                 ORDER BY item.expires_on NULLS LAST, item.lot_id, item.depot_id
                 ROWS UNBOUNDED PRECEDING)
),
fefo2 AS (
    SELECT fefo1.*, a + least(0, coalesce(min(slack) OVER w, 0)) AS d
    FROM fefo1
    WINDOW w AS (PARTITION BY sk, class = 'serviceable'
                 ORDER BY expires_on NULLS LAST, lot_id, depot_id ROWS UNBOUNDED PRECEDING)
),
fefo AS (
    SELECT fefo2.*,
        CASE WHEN class = 'serviceable' AND expires_on IS NOT NULL
                  AND expires_on <= (%(today)s::date + make_interval(months => %(months)s))
             THEN q - (d - coalesce(lag(d) OVER w, 0))
             ELSE 0 END::bigint AS expiring
    FROM fefo2
    WINDOW w AS (PARTITION BY sk, class = 'serviceable'
                 ORDER BY expires_on NULLS LAST, lot_id, depot_id)
)
""",
    )
)

# The straightforward per-depot figures: every item through the windows (the reference).
_PER_DEPOT_ITEMS = """,
per_depot AS (
    SELECT sk, depot_id,
        coalesce(sum(q) FILTER (WHERE class IN ('serviceable', 'obsolete_or_banned')), 0)::bigint
            AS serviceable,
        coalesce(sum(q) FILTER (WHERE class = 'suspended'), 0)::bigint AS suspended,
        coalesce(sum(q) FILTER (WHERE class = 'in_transit'), 0)::bigint AS in_transit,
        coalesce(sum(q) FILTER (WHERE class = 'unserviceable'), 0)::bigint AS unserviceable,
        coalesce(sum(q) FILTER (WHERE class = 'reparable'), 0)::bigint AS reparable,
        coalesce(sum(q) FILTER (WHERE class = 'obsolete_or_banned'), 0)::bigint
            AS obsolete_or_banned,
        coalesce(sum(q) FILTER (WHERE class = 'serviceable' AND banned), 0)::bigint AS banned,
        sum(expiring)::bigint AS expiring,
        coalesce(sum(q * neq) FILTER (WHERE class <> 'in_transit'), 0) AS holdings_neq,
        coalesce(sum(q * neq) FILTER (WHERE class IN ('serviceable', 'obsolete_or_banned')), 0)
            AS serviceable_neq,
        coalesce(sum(q * neq) FILTER (WHERE class = 'unserviceable'), 0) AS unserviceable_neq,
        coalesce(sum(q * neq) FILTER (WHERE class = 'obsolete_or_banned'), 0) AS obsolete_neq,
        coalesce(sum(expiring * neq), 0) AS expiring_neq
    FROM fefo GROUP BY sk, depot_id
)
"""

# From per-depot figures to the national ones: usable stock, requirement and excess.
_NATIONAL_EXCESS = """,
per_depot_u AS (
    SELECT per_depot.*,
        serviceable - obsolete_or_banned - expiring AS usable,
        serviceable_neq - obsolete_neq - expiring_neq AS usable_neq
    FROM per_depot
),
mismatch AS (
    SELECT -gm.group_id AS sk
    FROM surplus_groupmember gm
    JOIN inventory_ammunitiontype t ON t.id = gm.ammunition_type_id
    GROUP BY gm.group_id HAVING count(DISTINCT lower(trim(t.unit))) > 1
),
national0 AS (
    SELECT coalesce(p.sk, req.sk) AS sk,
        coalesce(sum(p.usable), 0)::bigint AS usable,
        coalesce(sum(p.usable_neq), 0) AS usable_neq,
        max(req.total)::bigint AS requirement
    FROM per_depot_u p FULL JOIN req ON req.sk = p.sk
    GROUP BY coalesce(p.sk, req.sk)
),
national AS (
    SELECT n.*, n.requirement IS NOT NULL AS requirement_stated,
        mm.sk IS NOT NULL AS unit_mismatch,
        CASE WHEN n.requirement IS NULL OR mm.sk IS NOT NULL THEN 0
             ELSE greatest(0, n.usable - n.requirement) END::bigint AS excess
    FROM national0 n LEFT JOIN mismatch mm ON mm.sk = n.sk
),
"""

# The columns in SurplusRow's order (surplus_by_depot builds its rows from them positionally).
_NAMED = """
SELECT rows.sk,
    CASE WHEN rows.sk > 0 THEN rows.sk END AS type_id,
    CASE WHEN rows.sk < 0 THEN -rows.sk END AS group_id,
    coalesce(t.code, g.code) AS code,
    coalesce(t.name, g.name) AS name,
    coalesce(t.category, (SELECT min(mt.category) FROM surplus_groupmember gm
                          JOIN inventory_ammunitiontype mt ON mt.id = gm.ammunition_type_id
                          WHERE gm.group_id = g.id), '') AS category,
    rows.depot_id, requirement, requirement_stated, unit_mismatch, national_usable,
    serviceable, suspended, in_transit, unserviceable, reparable, expiring, obsolete_or_banned,
    banned, usable, excess, holdings_neq, serviceable_neq, unserviceable_neq, expiring_neq,
    obsolete_neq, usable_neq, excess_neq
FROM rows
LEFT JOIN inventory_ammunitiontype t ON rows.sk > 0 AND t.id = rows.sk
LEFT JOIN surplus_interchangeablegroup g ON rows.sk < 0 AND g.id = -rows.sk
ORDER BY code, depot_id NULLS FIRST
"""

# The rows of the subjects with a requirement and no stock (national figures only).
_UNSTOCKED = """    UNION ALL
    SELECT n.sk, NULL, n.requirement, n.requirement_stated, n.unit_mismatch,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM national n
    WHERE %(depots)s::bigint[] IS NULL
      AND NOT EXISTS (SELECT 1 FROM per_depot p WHERE p.sk = n.sk)
)
"""

# Shares of the national excess, per depot, for the subjects with an excess only.
_SHARES = """
shares AS (
    -- Largest remainder over the depots of the subjects with an excess (a few): every other
    -- depot's share is 0.
    SELECT sk, depot_id,
        base + CASE WHEN row_number() OVER (PARTITION BY sk ORDER BY rest DESC, depot_id)
                         <= national_excess - sum(base) OVER (PARTITION BY sk)
                    THEN 1 ELSE 0 END AS excess
    FROM (
        SELECT p.sk, p.depot_id, n.excess AS national_excess,
            n.excess * p.usable / n.usable AS base, n.excess * p.usable %% n.usable AS rest
        FROM per_depot_u p JOIN national n ON n.sk = p.sk
        WHERE n.excess > 0 AND n.usable > 0
    ) s
),
rows AS (
    SELECT p.sk, p.depot_id, n.requirement, n.requirement_stated, n.unit_mismatch,
        n.usable AS national_usable, p.serviceable, p.suspended, p.in_transit,
        p.unserviceable, p.reparable, p.expiring, p.obsolete_or_banned, p.banned, p.usable,
        coalesce(s.excess, 0)::bigint AS excess,
        p.holdings_neq, p.serviceable_neq, p.unserviceable_neq, p.expiring_neq, p.obsolete_neq,
        p.usable_neq,
        CASE WHEN n.usable > 0 AND s.excess <> 0
             THEN s.excess * n.usable_neq / n.usable ELSE 0 END AS excess_neq
    FROM per_depot_u p
    JOIN national n ON n.sk = p.sk
    LEFT JOIN shares s ON s.sk = p.sk AND s.depot_id = p.depot_id
    WHERE %(depots)s::bigint[] IS NULL OR p.depot_id = ANY(%(depots)s::bigint[])
"""

# The original shares, which the reference keeps: computed over every depot.
_SHARES_REFERENCE = """
share1 AS (
    SELECT p.*, n.requirement, n.requirement_stated, n.unit_mismatch,
        n.usable AS national_usable, n.excess AS national_excess,
        n.usable_neq AS national_usable_neq,
        CASE WHEN n.usable > 0 THEN n.excess * p.usable / n.usable ELSE 0 END AS base,
        CASE WHEN n.usable > 0 THEN n.excess * p.usable %% n.usable ELSE 0 END AS rest
    FROM per_depot_u p JOIN national n ON n.sk = p.sk
),
share AS (
    SELECT share1.*,
        base + CASE WHEN row_number() OVER (PARTITION BY sk ORDER BY rest DESC, depot_id)
                         <= national_excess - sum(base) OVER (PARTITION BY sk)
                    THEN 1 ELSE 0 END AS excess
    FROM share1
),
rows AS (
    SELECT sk, depot_id, requirement, requirement_stated, unit_mismatch, national_usable,
        serviceable, suspended, in_transit,
        unserviceable, reparable, expiring, obsolete_or_banned, banned, usable, excess,
        holdings_neq, serviceable_neq, unserviceable_neq, expiring_neq, obsolete_neq, usable_neq,
        CASE WHEN national_usable > 0
             THEN excess * national_usable_neq / national_usable ELSE 0 END AS excess_neq
    FROM share
    WHERE %(depots)s::bigint[] IS NULL OR depot_id = ANY(%(depots)s::bigint[])
"""

# The fast path (issue 20): the reference's figures (tests/surplus/test_fast_path.py checks):
# - one pass over the balance rows, classed through per-type and per-condition lookups (a few
#   thousand rows: subject, obsolete or banned, training rate) and kept for two readers: sums per
#   subject, depot, class and ban (stock classes are lot attributes, so every figure but the
#   expiring part is a sum of balance rows), and the windows;
# - the first-expiry-first windows run only over the serviceable stock expiring within the
#   horizon: the items before one in that order expire no later than it does, so their running
#   sums, hence its consumed and expiring parts, are those of the windows over every item; and
#   an item expiring after the horizon (or never) has no part expiring before use;
# - bans reach a lot's descendants from the banned lots down (a few rows), not from every lot up;
# - the largest-remainder shares are computed for the subjects with an excess only (_SHARES).
_NATIONAL = "".join(
    (
        """
WITH RECURSIVE
banned_lot0(lot_id, disposal) AS (
    SELECT ban.lot_id, ban.disposal_recommended FROM surveillance_ban ban
    WHERE ban.kind = 'ban' AND ban.lifted_at IS NULL AND ban.lot_id IS NOT NULL
    UNION
    SELECT child.id, banned_lot0.disposal FROM banned_lot0
    JOIN inventory_lot child ON child.parent_id = banned_lot0.lot_id
),
banned_lot AS (SELECT lot_id, bool_or(disposal) AS disposal FROM banned_lot0 GROUP BY lot_id),
""",
        _TYPE_BANS_AND_REQUIREMENTS,
        """type_info AS MATERIALIZED (
    -- Per type (thousands of rows, not lots): its subject, NEQ per unit, and whether it is
    -- obsolete or banned for disposal (then so is its serviceable stock) or banned at all.
    SELECT t.id, coalesce(-m.group_id, t.id) AS sk, t.neq_per_unit_kg AS neq,
        t.obsolete OR coalesce(bt.disposal, false) AS disposal,
        bt.ammunition_type_id IS NOT NULL AS banned, coalesce(req.rate, 0) AS rate
    FROM inventory_ammunitiontype t
    LEFT JOIN surplus_groupmember m ON m.ammunition_type_id = t.id
    LEFT JOIN banned_type bt ON bt.ammunition_type_id = t.id
    LEFT JOIN req ON req.sk = coalesce(-m.group_id, t.id)
    WHERE %(sk)s::bigint IS NULL OR coalesce(-m.group_id, t.id) = %(sk)s
),
class0 AS (
    -- A stock class per condition code, as a small integer for cheap grouping: 1 serviceable
    -- (issuable or restricted), 3 suspended, 4 unserviceable, 5 reparable (policy), 0 any other
    -- availability (held, counted in no column); per row 2 obsolete or banned, 6 in transit.
    SELECT cc.code,
        CASE WHEN cc.availability IN ('issuable', 'restricted') THEN 1
             WHEN cc.availability = 'suspended' THEN 3
             WHEN cc.availability = 'unserviceable' AND cc.code = ANY(%(reparable)s::text[])
                  AND NOT %(count_reparable)s THEN 5
             WHEN cc.availability = 'unserviceable' THEN 4
             ELSE 0 END AS class
    FROM inventory_conditioncode cc
),
classed AS MATERIALIZED (
    -- Balance rows with their class: read twice, summed per class and for the windows.
    SELECT b.lot_id, b.depot_id, b.storehouse_id, b.quantity::bigint AS q, lot.expires_on, ti.sk,
        ti.rate,
        coalesce(lot.neq_per_unit_kg, ti.neq) AS neq,
        CASE WHEN lot.identity_lost THEN 4
             WHEN c.class = 1 AND (ti.disposal OR coalesce(bl.disposal, false)) THEN 2
             ELSE c.class END AS class,
        (ti.banned OR bl.lot_id IS NOT NULL) AS banned
    FROM inventory_balance b
    JOIN inventory_lot lot ON lot.id = b.lot_id
    JOIN type_info ti ON ti.id = lot.ammunition_type_id
    JOIN class0 c ON c.code = lot.condition
    LEFT JOIN banned_lot bl ON bl.lot_id = lot.id
    WHERE b.quantity > 0
),
transit AS (
    -- Stock of transfers dispatched and not received, per lot at the destination depot.
    SELECT ti.sk, doc.destination_depot_id AS depot_id, (-sum(line.quantity))::bigint AS q
    FROM inventory_document doc
    JOIN inventory_ledgerline line ON line.document_id = doc.id
    JOIN inventory_lot lot ON lot.id = line.lot_id
    JOIN type_info ti ON ti.id = lot.ammunition_type_id
    WHERE doc.kind = 'transfer' AND doc.status = 'in_transit'
      AND NOT EXISTS (SELECT 1 FROM inventory_document rev WHERE rev.reverses_id = doc.id)
    GROUP BY line.lot_id, doc.destination_depot_id, ti.sk
    HAVING -sum(line.quantity) > 0
),
agg AS (
    SELECT sk, depot_id, class, banned, sum(q)::bigint AS q, sum(q * neq) AS q_neq
    FROM classed GROUP BY sk, depot_id, class, banned
    UNION ALL
    SELECT sk, depot_id, 6, false, sum(q)::bigint, 0 FROM transit GROUP BY sk, depot_id
),
fefo1 AS (
    -- The serviceable balance rows expiring within the horizon, first expiry first. A lot held
    -- in several storehouses of a depot is one item split into consecutive rows of one expiry:
    -- the running minimum at its last row, hence the item's consumed part, is the item's.
    SELECT e.sk, e.depot_id, e.lot_id, e.storehouse_id, e.expires_on, e.q, e.neq,
        sum(e.q) OVER w AS a,
        CASE WHEN e.expires_on < %(today)s::date THEN 0
             ELSE floor(e.rate * (
                 (extract(year FROM age(e.expires_on + 1, %(today)s::date)) * 12
                  + extract(month FROM age(e.expires_on + 1, %(today)s::date))) / 12
                 + extract(day FROM age(e.expires_on + 1, %(today)s::date)) / 365.25))
        END - sum(e.q) OVER w AS slack
    FROM classed e
    WHERE e.class = 1
      AND e.expires_on <= (%(today)s::date + make_interval(months => %(months)s))::date
    WINDOW w AS (PARTITION BY e.sk ORDER BY e.expires_on, e.lot_id, e.depot_id, e.storehouse_id
                 ROWS UNBOUNDED PRECEDING)
),
fefo2 AS (
    SELECT fefo1.*, a + least(0, coalesce(min(slack) OVER w, 0)) AS d
    FROM fefo1
    WINDOW w AS (PARTITION BY sk ORDER BY expires_on, lot_id, depot_id, storehouse_id
                 ROWS UNBOUNDED PRECEDING)
),
fefo AS (
    SELECT fefo2.*,
        (q - (d - coalesce(lag(d) OVER (PARTITION BY sk
                                        ORDER BY expires_on, lot_id, depot_id, storehouse_id),
                           0)))::bigint AS expiring
    FROM fefo2
),
expiring AS (
    SELECT sk, depot_id, sum(expiring)::bigint AS expiring, sum(expiring * neq) AS expiring_neq
    FROM fefo GROUP BY sk, depot_id
),
per_depot0 AS (
    SELECT sk, depot_id,
        coalesce(sum(q) FILTER (WHERE class IN (1, 2)), 0)::bigint AS serviceable,
        coalesce(sum(q) FILTER (WHERE class = 3), 0)::bigint AS suspended,
        coalesce(sum(q) FILTER (WHERE class = 6), 0)::bigint AS in_transit,
        coalesce(sum(q) FILTER (WHERE class = 4), 0)::bigint AS unserviceable,
        coalesce(sum(q) FILTER (WHERE class = 5), 0)::bigint AS reparable,
        coalesce(sum(q) FILTER (WHERE class = 2), 0)::bigint AS obsolete_or_banned,
        coalesce(sum(q) FILTER (WHERE class = 1 AND banned), 0)::bigint AS banned,
        coalesce(sum(q_neq) FILTER (WHERE class <> 6), 0) AS holdings_neq,
        coalesce(sum(q_neq) FILTER (WHERE class IN (1, 2)), 0) AS serviceable_neq,
        coalesce(sum(q_neq) FILTER (WHERE class = 4), 0) AS unserviceable_neq,
        coalesce(sum(q_neq) FILTER (WHERE class = 2), 0) AS obsolete_neq
    FROM agg GROUP BY sk, depot_id
),
per_depot AS (
    -- The reference sums expiring_neq over items of NEQ per unit of scale 6 (numeric(14, 6)):
    -- a depot with none expiring keeps that scale, which the excess NEQ division inherits.
    SELECT p.*, coalesce(e.expiring, 0)::bigint AS expiring,
        coalesce(e.expiring_neq, 0.000000) AS expiring_neq
    FROM per_depot0 p LEFT JOIN expiring e ON e.sk = p.sk AND e.depot_id = p.depot_id
)
""",
    )
)

# The whole statements: the fast path, and the reference it is checked against.
_FAST = _NATIONAL + _NATIONAL_EXCESS + _SHARES + _UNSTOCKED + _NAMED
_REFERENCE = _ITEMS + _PER_DEPOT_ITEMS + _NATIONAL_EXCESS + _SHARES_REFERENCE + _UNSTOCKED + _NAMED

_PER_LOT = """
SELECT fefo.lot_id, fefo.depot_id, fefo.class, fefo.q, fefo.expiring, fefo.expires_on,
    fefo.condition, fefo.neq, lot.lot_number, t.code AS type_code, d.code AS depot_code
FROM fefo
JOIN inventory_lot lot ON lot.id = fefo.lot_id
JOIN inventory_ammunitiontype t ON t.id = fefo.type_id
JOIN inventory_depot d ON d.id = fefo.depot_id
WHERE %(depots)s::bigint[] IS NULL OR fefo.depot_id = ANY(%(depots)s::bigint[])
ORDER BY fefo.expires_on NULLS LAST, fefo.lot_id, fefo.depot_id, fefo.class
"""

UNITS = (
    "serviceable",
    "suspended",
    "in_transit",
    "unserviceable",
    "reparable",
    "expiring_before_use",
    "obsolete_or_banned",
    "banned",
    "usable",
    "excess",
)
NEQS = (
    "holdings_neq_kg",
    "serviceable_neq_kg",
    "unserviceable_neq_kg",
    "expiring_neq_kg",
    "obsolete_neq_kg",
    "usable_neq_kg",
    "excess_neq_kg",
)
_KG = Decimal("0.001")
# What a row is about, the same in every depot's row of it and in their sum.
_SUBJECT_FIELDS = ("sk", "type_id", "group_id", "code", "name", "category")


@dataclass
class SurplusRow:
    """A subject's surplus in one depot (`depot_id`), or summed over several (`depot_id` None).

    `requirement` and `national_usable` are national whatever the depots summed; `excess` is the
    depots' share of the national excess (all of it when every depot is summed).

    `requirement` is None when no requirement is in force (`requirement_stated` False): the
    usable stock is then not assessed (no excess), never compared with a zero (DESIGN.md §9).
    `unit_mismatch`: a group whose types have different units of issue, whose sum means
    nothing; its usable stock is not assessed either. `banned` is serviceable stock under a
    temporary ban: shown, counted neither as obsolete-or-banned nor as surplus."""

    sk: int
    type_id: int | None
    group_id: int | None
    code: str
    name: str
    category: str
    depot_id: int | None = None
    requirement: int | None = None
    requirement_stated: bool = False
    unit_mismatch: bool = False
    national_usable: int = 0
    serviceable: int = 0
    suspended: int = 0
    in_transit: int = 0
    unserviceable: int = 0
    reparable: int = 0
    expiring_before_use: int = 0
    obsolete_or_banned: int = 0
    banned: int = 0
    usable: int = 0
    excess: int = 0
    holdings_neq_kg: Decimal = field(default_factory=Decimal)
    serviceable_neq_kg: Decimal = field(default_factory=Decimal)
    unserviceable_neq_kg: Decimal = field(default_factory=Decimal)
    expiring_neq_kg: Decimal = field(default_factory=Decimal)
    obsolete_neq_kg: Decimal = field(default_factory=Decimal)
    usable_neq_kg: Decimal = field(default_factory=Decimal)
    excess_neq_kg: Decimal = field(default_factory=Decimal)

    @property
    def margin(self) -> int | None:
        """National usable stock less the requirement: negative when short; None when not
        assessed (no requirement stated, or a group mixing units of issue)."""
        if not self.assessed:
            return None
        return self.national_usable - self.requirement

    @property
    def assessed(self) -> bool:
        """Whether usable stock was compared with a stated requirement (DESIGN.md §9)."""
        return self.requirement_stated and not self.unit_mismatch

    @property
    def not_assessed_reason(self) -> str:
        """Why the usable stock was not compared with a requirement ("" if it was)."""
        reasons = []
        if not self.requirement_stated:
            reasons.append(str(_("no requirement stated")))
        if self.unit_mismatch:
            reasons.append(str(_("its types have different units of issue")))
        return "; ".join(reasons)

    @property
    def holdings(self) -> int:
        return self.serviceable + self.suspended + self.unserviceable + self.reparable

    @property
    def surplus(self) -> int:
        return self.excess + self.unserviceable + self.expiring_before_use + self.obsolete_or_banned

    @property
    def surplus_neq_kg(self) -> Decimal:
        return (
            self.excess_neq_kg
            + self.unserviceable_neq_kg
            + self.expiring_neq_kg
            + self.obsolete_neq_kg
        ).quantize(_KG)

    @property
    def subject(self) -> str:
        """The subject's key in URLs: "t<type id>" or "g<group id>"."""
        return f"t{self.type_id}" if self.type_id else f"g{self.group_id}"


@dataclass(frozen=True)
class LotItem:
    """One lot's stock in one depot, its class and the part of it expiring before use."""

    lot_id: int
    depot_id: int
    depot_code: str
    lot_number: str
    type_code: str
    cls: str
    quantity: int
    expiring_before_use: int
    expires_on: date | None
    condition: str
    neq_per_unit_kg: Decimal

    @property
    def neq_kg(self) -> Decimal:
        return (self.quantity * self.neq_per_unit_kg).quantize(_KG)


# For the one big statement: JIT compilation costs more than it saves (0.6 s of 3.3 s at 200,000
# lots), and its window sorts fit in memory with a larger work_mem instead of spilling to disk.
_SESSION = "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"


def _run(sql: str, params: dict) -> tuple[list[str], list[tuple]]:
    """Run the computation in a transaction of its own settings (two statements)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SESSION)
        cursor.execute(sql, params)
        return [column.name for column in cursor.description], cursor.fetchall()


def _params(*, today, policy, sk, depot_ids) -> dict:
    return {
        "today": today,
        "months": policy.expiry_horizon_months,
        "count_reparable": policy.count_reparable,
        "reparable": list(policy.reparable_conditions),
        "sk": sk,
        "depots": None if depot_ids is None else sorted(depot_ids),
    }


def subject_key(*, type_id: int | None = None, group_id: int | None = None) -> int:
    return -group_id if group_id else type_id


# The query's columns, in SurplusRow's field order (the figures without their unit suffixes).
_COLUMNS = (
    *_SUBJECT_FIELDS,
    "depot_id",
    "requirement",
    "requirement_stated",
    "unit_mismatch",
    "national_usable",
    "serviceable",
    "suspended",
    "in_transit",
    "unserviceable",
    "reparable",
    "expiring",
    "obsolete_or_banned",
    "banned",
    "usable",
    "excess",
    *(name.removesuffix("_kg") for name in NEQS),
)


def surplus_by_depot(
    *,
    today: date,
    policy: SurplusPolicy,
    sk: int | None = None,
    depot_ids: Iterable[int] | None = None,
) -> list[SurplusRow]:
    """Every subject's surplus per depot: one query (after the one setting the session). With
    `depot_ids`, only those depots' rows; without, also a row (depot None, zero stock) per
    subject that has a requirement and no stock. `sk` limits the computation to one subject
    (nationally: nothing else affects it).

    The fast path (issue 20): figures identical to surplus_by_depot_reference's, which a
    property test checks on random stockpiles (tests/surplus/test_fast_path.py)."""
    params = _params(today=today, policy=policy, sk=sk, depot_ids=depot_ids)
    return _surplus_rows(*_run(_FAST, params))


def surplus_by_depot_reference(
    *,
    today: date,
    policy: SurplusPolicy,
    sk: int | None = None,
    depot_ids: Iterable[int] | None = None,
) -> list[SurplusRow]:
    """surplus_by_depot, computed the straightforward way: every item (lot x depot) through
    the first-expiry-first windows. Slower (issue 20: 8 to 11 times a plain holdings
    aggregate); kept as the definition the fast path is checked against."""
    params = _params(today=today, policy=policy, sk=sk, depot_ids=depot_ids)
    rows = _surplus_rows(*_run(_REFERENCE, params))
    for row in rows:  # its sums over items are numeric: whole units as ints
        figures = row.__dict__
        for name in ("requirement", "national_usable", *UNITS):
            if figures[name] is not None:
                figures[name] = int(figures[name])
    return rows


def _surplus_rows(names: list[str], values: list[tuple]) -> list[SurplusRow]:
    """The statement's rows as SurplusRows, positionally: a row per subject and depot,
    thousands per national page. The NEQ figures are numeric (Decimals), rounded to grams."""
    if tuple(names) != _COLUMNS:  # a change to the query's columns must change this too
        raise RuntimeError(f"surplus query columns {names} are not {_COLUMNS}")
    kg = _KG
    return [
        SurplusRow(
            *r[:21],
            r[21].quantize(kg),
            r[22].quantize(kg),
            r[23].quantize(kg),
            r[24].quantize(kg),
            r[25].quantize(kg),
            r[26].quantize(kg),
            r[27].quantize(kg),
        )
        for r in values
    ]


def rows_summed(rows: Iterable[SurplusRow], key=lambda row: row.sk) -> list[SurplusRow]:
    """Sum per-depot rows into one row per `key` (the subject by default). Requirement and
    national usable stock are national figures: summed once per subject."""
    return list(rows_grouped(rows, key).values())


def rows_grouped(rows: Iterable[SurplusRow], key) -> dict:
    """rows_summed, keyed. A sum of several subjects states the requirements of those that
    have one (None if none has); it is `requirement_stated` only when every subject in it is,
    and flagged `unit_mismatch` when any is."""
    summed: dict = {}
    subjects_seen: dict = {}
    for row in rows:
        k = key(row)
        total = summed.get(k)
        if total is None:
            total = summed[k] = SurplusRow(
                **{name: getattr(row, name) for name in _SUBJECT_FIELDS}, requirement_stated=True
            )
            subjects_seen[k] = set()
        if row.sk not in subjects_seen[k]:
            subjects_seen[k].add(row.sk)
            if row.requirement is not None:
                total.requirement = (total.requirement or 0) + row.requirement
            total.requirement_stated = total.requirement_stated and row.requirement_stated
            total.unit_mismatch = total.unit_mismatch or row.unit_mismatch
            total.national_usable += row.national_usable
        # The instances' dicts: a national dashboard sums thousands of rows several ways.
        into, add = total.__dict__, row.__dict__
        for name in _SUMMED:
            into[name] += add[name]
    return summed


_SUMMED = UNITS + NEQS


def surplus_lots(
    *, today: date, policy: SurplusPolicy, sk: int, depot_ids: Iterable[int] | None = None
) -> list[LotItem]:
    """A subject's stock per lot and depot with its class and expiring part (one query)."""
    params = _params(today=today, policy=policy, sk=sk, depot_ids=depot_ids)
    _names, records = _run(_ITEMS + _PER_LOT, params)
    return [
        LotItem(
            lot_id=lot_id,
            depot_id=depot_id,
            depot_code=depot_code,
            lot_number=lot_number,
            type_code=type_code,
            cls=cls,
            quantity=int(q),
            expiring_before_use=int(expiring),
            expires_on=expires_on,
            condition=condition,
            neq_per_unit_kg=neq,
        )
        for (
            lot_id,
            depot_id,
            cls,
            q,
            expiring,
            expires_on,
            condition,
            neq,
            lot_number,
            type_code,
            depot_code,
        ) in records
    ]


ROW_FIELDS = [f.name for f in fields(SurplusRow)]
