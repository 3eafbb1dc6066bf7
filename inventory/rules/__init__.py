"""Safe-storage rules (DESIGN.md §3 and §4): hazard codes, mixing, isolation, NEQ and licences.

Pure functions over data the caller has already loaded (and, for a posting, locked): no Django, no
database, no files, no models (LAYERS.md). Policy (legal hazard codes, the mixing matrix, licence
limits, the aggregation policy) is passed in; the only constants are the hazard division values and
compatibility group letters that DESIGN.md fixes, and the meaning of the mixing notes n1..n7. One
module per concern; callers import from `inventory.rules`.
"""

from inventory.rules.hazard import (
    COMPATIBILITY_GROUPS,
    HAZARD_DIVISIONS,
    hazard_code_is_legal,
    hazard_subdivision_1_2_contradiction,
    legal_hazard_codes_from_rows,
    per_item_kg,
    suggest_hazard_subdivision_1_2,
)
from inventory.rules.holdings import (
    AVAILABILITIES,
    AVAILABILITY_RANK,
    LICENCE_EXCEEDED,
    NO_LICENCE,
    SERVICEABLE,
    STORAGE_INCOMPATIBLE,
    SUSPECT_ISOLATION,
    Breach,
    Holding,
    condition_improves,
)
from inventory.rules.isolation import isolation_breaches
from inventory.rules.limits import licence_breaches
from inventory.rules.mixing import (
    MIXING_NOTES,
    WAIVABLE_NOTES,
    MixingMatrix,
    compatibility_breaches,
    effective_groups,
    mixing_matrix_from_rows,
)
from inventory.rules.neq import (
    HD_1_6_COUNTS_AS,
    Assessment,
    StoragePolicy,
    counted_division,
    hd_1_6_counts_as_check,
    neq_assessments,
)
from inventory.rules.storage import storage_breaches

__all__ = [
    "AVAILABILITIES",
    "AVAILABILITY_RANK",
    "COMPATIBILITY_GROUPS",
    "HAZARD_DIVISIONS",
    "HD_1_6_COUNTS_AS",
    "LICENCE_EXCEEDED",
    "MIXING_NOTES",
    "NO_LICENCE",
    "SERVICEABLE",
    "STORAGE_INCOMPATIBLE",
    "SUSPECT_ISOLATION",
    "WAIVABLE_NOTES",
    "Assessment",
    "Breach",
    "Holding",
    "MixingMatrix",
    "StoragePolicy",
    "compatibility_breaches",
    "condition_improves",
    "counted_division",
    "effective_groups",
    "hazard_code_is_legal",
    "hazard_subdivision_1_2_contradiction",
    "hd_1_6_counts_as_check",
    "isolation_breaches",
    "legal_hazard_codes_from_rows",
    "licence_breaches",
    "mixing_matrix_from_rows",
    "neq_assessments",
    "per_item_kg",
    "storage_breaches",
    "suggest_hazard_subdivision_1_2",
]
