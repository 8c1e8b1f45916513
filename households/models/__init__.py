"""The households app's models, one module per concept, all importable from here.

- units: administrative units of both structures, their succession, resident-household totals
- standards: poverty standards and their indicators, as data
- users: portal users and their roles
- registry: households and their members
- reviews: the annual review and the choices it records
- jobs: upload jobs and the review workflow's transitions

Sources: docs/poverty-rules.md, docs/review-cycle.md, docs/admin-units.md.
"""

from households.models.jobs import (
    ImportJob,
    ImportJobQuerySet,
    JobStage,
    JobStatus,
    ReviewTransition,
)
from households.models.registry import (
    Household,
    HouseholdQuerySet,
    Member,
    MemberQuerySet,
    Sex,
)
from households.models.reviews import (
    Cause,
    Movement,
    Need,
    PovertyClass,
    Review,
    ReviewQuerySet,
    ReviewState,
    ReviewType,
)
from households.models.standards import (
    Dimension,
    PovertyStandard,
    PovertyStandardQuerySet,
    StandardIndicator,
    StandardScope,
)
from households.models.units import (
    LEGACY_END,
    REFORM_START,
    UNIT_CODE_PATTERN,
    AdministrativeUnit,
    AdministrativeUnitQuerySet,
    Area,
    Structure,
    Succession,
    TotalSource,
    UnitKind,
    UnitLevel,
    UnitYear,
    in_force_of,
    structure_for_year,
    year_end,
)
from households.models.users import (
    CITY_WIDE_ROLES,
    WRITER_ROLES,
    Role,
    User,
)

__all__ = [
    "ImportJobQuerySet",
    "UnitLevel",
    "UnitKind",
    "Area",
    "Structure",
    "LEGACY_END",
    "REFORM_START",
    "UNIT_CODE_PATTERN",
    "year_end",
    "structure_for_year",
    "in_force_of",
    "AdministrativeUnitQuerySet",
    "AdministrativeUnit",
    "Succession",
    "TotalSource",
    "UnitYear",
    "Dimension",
    "StandardScope",
    "PovertyStandardQuerySet",
    "PovertyStandard",
    "StandardIndicator",
    "Role",
    "WRITER_ROLES",
    "CITY_WIDE_ROLES",
    "User",
    "Sex",
    "HouseholdQuerySet",
    "Household",
    "MemberQuerySet",
    "Member",
    "PovertyClass",
    "Movement",
    "ReviewType",
    "ReviewState",
    "Cause",
    "Need",
    "ReviewQuerySet",
    "Review",
    "JobStage",
    "JobStatus",
    "ImportJob",
    "ReviewTransition",
]
