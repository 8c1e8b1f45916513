"""Hanoi's administrative units before and after 1 Jul 2025, and the old → new succession.

Source: the PyPI package `vietnamadminunits` (MIT licence), which ships
- `data/dataset.db`, table `admin_units_legacy`: the structure in force until 30 Jun 2025
  (for Hanoi 30 district-level and 526 commune-level units, GSO codes);
- the same file, table `admin_units`: the structure from 1 Jul 2025 (NQ 1656/NQ-UBTVQH15, codes
  by QĐ 19/2025/QĐ-TTg; for Hanoi 126 communes, no district level);
- `data/converter_2025.json`: which old communes went, wholly or in part, into which new ones.
See docs/admin-units.md. Codes are reused across the two structures, so units are keyed by
(code, structure), never by code alone.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from households.models import (
    LEGACY_END,
    REFORM_START,
    AdministrativeUnit,
    Area,
    Structure,
    Succession,
    UnitKind,
    UnitLevel,
)

# GSO province code → the package's province key. Hanoi kept its boundaries and its key in 2025;
# a merged province would need one province row per structure, which the model does not have.
PROVINCE_KEYS = {"01": "thanhphohanoi"}

# Plan 51 runs from 2021. The package holds the legacy structure as it stood on 30 Jun 2025;
# earlier boundary changes are not modelled, so that structure is taken as in force since 2021.
LEGACY_START = datetime.date(2021, 1, 1)

DISTRICT_KINDS = {
    "Quận": (UnitKind.URBAN_DISTRICT, Area.URBAN),
    "Huyện": (UnitKind.RURAL_DISTRICT, Area.RURAL),
    "Thị xã": (UnitKind.TOWN, Area.URBAN),
}
COMMUNE_KINDS = {
    "Phường": (UnitKind.WARD, Area.URBAN),
    "Thị trấn": (UnitKind.TOWNSHIP, Area.URBAN),
    "Xã": (UnitKind.COMMUNE, Area.RURAL),
}


class AdminUnitsRefused(Exception):
    """Nothing was loaded; `problems` says why, in Vietnamese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SourceUnit:
    """One unit as the package gives it; `key` joins it to the old → new mapping."""

    key: str
    code: str
    name: str
    level: UnitLevel
    kind: UnitKind
    area: str
    structure: Structure
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    latitude: float | None
    longitude: float | None
    parent_key: str | None = None


@dataclass(frozen=True)
class SourceSuccession:
    predecessor_key: str
    successor_key: str
    is_primary: bool


@dataclass(frozen=True)
class Source:
    city: SourceUnit
    districts: list[SourceUnit]
    legacy_communes: list[SourceUnit]
    communes: list[SourceUnit]
    successions: list[SourceSuccession]


@dataclass
class LoadSummary:
    """What a load found in the package and wrote; `changes` is 0 when the database already matched."""

    province_code: str
    districts: int = 0
    legacy_communes: int = 0
    communes: int = 0
    successions: int = 0
    units_created: int = 0
    units_updated: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_deleted: int = 0

    @property
    def changes(self) -> int:
        return (
            self.units_created
            + self.units_updated
            + self.successions_created
            + self.successions_updated
            + self.successions_deleted
        )


def _package_file(name: str) -> Path:
    # find_spec locates the package without importing it: its __init__ spends ~0.3 s on parsers.
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or spec.origin is None:
        raise AdminUnitsRefused(["Chưa cài gói vietnamadminunits."])
    return Path(spec.origin).parent / "data" / name


def _kind(kinds: dict[str, tuple[UnitKind, Area]], label: str, what: str) -> tuple[UnitKind, Area]:
    try:
        return kinds[label]
    except KeyError:
        raise AdminUnitsRefused([f"Loại {what} «{label}» không được hỗ trợ."]) from None


def read_source(province_code: str = "01") -> Source:
    """Both structures of one province and its old → new mapping, read from the package."""
    if province_code not in PROVINCE_KEYS:
        raise AdminUnitsRefused([f"Chỉ hỗ trợ cơ cấu hành chính của Hà Nội (01), không có tỉnh «{province_code}»."])
    province_key = PROVINCE_KEYS[province_code]
    database = sqlite3.connect(f"{_package_file('dataset.db').as_uri()}?mode=ro", uri=True)
    database.row_factory = sqlite3.Row
    try:
        legacy_rows = database.execute(
            "SELECT * FROM admin_units_legacy WHERE provinceCode = ? ORDER BY districtCode, wardCode", [province_code]
        ).fetchall()
        reform_rows = database.execute(
            "SELECT * FROM admin_units WHERE provinceKey = ? ORDER BY wardCode", [province_key]
        ).fetchall()
    finally:
        database.close()
    if not legacy_rows or not reform_rows:
        raise AdminUnitsRefused([f"Gói vietnamadminunits không có đơn vị nào của tỉnh «{province_code}»."])

    first = legacy_rows[0]
    city = SourceUnit(
        key=province_key,
        code=province_code,
        name=first["province"],
        level=UnitLevel.CITY,
        kind=UnitKind.CITY,
        area="",
        # One city row serves both structures: it is in force in every year.
        structure=Structure.LEGACY,
        valid_from=None,
        valid_to=None,
        latitude=first["provinceLat"],
        longitude=first["provinceLon"],
    )
    districts: dict[str, SourceUnit] = {}
    legacy_communes = []
    for row in legacy_rows:
        district_key = f"{province_key}_{row['districtKey']}"
        if district_key not in districts:
            kind, area = _kind(DISTRICT_KINDS, row["districtType"], "đơn vị cấp huyện")
            districts[district_key] = SourceUnit(
                key=district_key,
                code=row["districtCode"],
                name=row["district"],
                level=UnitLevel.DISTRICT,
                kind=kind,
                area=area,
                structure=Structure.LEGACY,
                valid_from=LEGACY_START,
                valid_to=LEGACY_END,
                latitude=row["districtLat"],
                longitude=row["districtLon"],
                parent_key=city.key,
            )
        kind, area = _kind(COMMUNE_KINDS, row["wardType"], "đơn vị cấp xã")
        legacy_communes.append(
            SourceUnit(
                key=f"{district_key}_{row['wardKey']}",
                code=row["wardCode"],
                name=row["ward"],
                level=UnitLevel.COMMUNE,
                kind=kind,
                area=area,
                structure=Structure.LEGACY,
                valid_from=LEGACY_START,
                valid_to=LEGACY_END,
                latitude=row["wardLat"],
                longitude=row["wardLon"],
                parent_key=district_key,
            )
        )
    communes = []
    for row in reform_rows:
        kind, area = _kind(COMMUNE_KINDS, row["wardType"], "đơn vị cấp xã")
        communes.append(
            SourceUnit(
                key=row["wardKey"],
                code=row["wardCode"],
                name=row["ward"],
                level=UnitLevel.COMMUNE,
                kind=kind,
                area=area,
                structure=Structure.REFORM_2025,
                valid_from=REFORM_START,
                valid_to=None,
                latitude=row["wardLat"],
                longitude=row["wardLon"],
                parent_key=city.key,
            )
        )
    successions = _read_successions(province_key)
    problems = succession_problems(legacy_communes, communes, successions)
    if problems:
        raise AdminUnitsRefused(problems)
    return Source(city, list(districts.values()), legacy_communes, communes, successions)


def _read_successions(province_key: str) -> list[SourceSuccession]:
    converter = json.loads(_package_file("converter_2025.json").read_text(encoding="utf-8"))
    successions = [
        SourceSuccession(old_key, new_key, is_primary=True)
        for new_key, old_keys in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].get(province_key, {}).items()
        for old_key in old_keys
    ]
    # A split commune lists every new commune that took part of it; the package names one default.
    successions += [
        SourceSuccession(old_key, part["newWardKey"], is_primary=bool(part["isDefaultNewWard"]))
        for old_key, parts in converter["DICT_PROVINCE_WARD_DIVIDED"].get(province_key, {}).items()
        for part in parts
    ]
    return successions


def succession_problems(
    legacy_communes: list[SourceUnit], communes: list[SourceUnit], successions: list[SourceSuccession]
) -> list[str]:
    """Every old commune must have a successor and exactly one primary one, among known units."""
    old_names = {unit.key: f"{unit.name} ({unit.code})" for unit in legacy_communes}
    new_keys = {unit.key for unit in communes}
    problems = []
    primaries: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    for succession in successions:
        pair = (succession.predecessor_key, succession.successor_key)
        if succession.predecessor_key not in old_names:
            problems.append(f"Đơn vị cũ «{succession.predecessor_key}» không có trong cơ cấu trước 1/7/2025.")
        if succession.successor_key not in new_keys:
            problems.append(f"Đơn vị mới «{succession.successor_key}» không có trong cơ cấu từ 1/7/2025.")
        if pair in seen:
            problems.append(f"Quan hệ kế thừa {pair[0]} → {pair[1]} bị lặp.")
        seen.add(pair)
        primaries[succession.predecessor_key] += succession.is_primary
    with_successor = {old for old, _ in seen}
    for key, name in old_names.items():
        if key not in with_successor:
            problems.append(f"{name} không có đơn vị kế thừa.")
        elif primaries[key] != 1:
            problems.append(f"{name} có {primaries[key]} đơn vị kế thừa chính (phải có đúng 1).")
    return problems


def load_admin_units(*, province_code: str = "01") -> LoadSummary:
    """Load or refresh a province's units of both structures and their succession, all or nothing.

    Idempotent: units are matched on (code, structure) and successions on (predecessor,
    successor); only what differs from the package is written, so a second run writes nothing.
    Units no longer in the package are left in place (households may point at them).
    """
    source = read_source(province_code)
    summary = LoadSummary(province_code)
    with transaction.atomic():
        city = _sync_units([source.city], {}, summary)
        districts = _sync_units(source.districts, city, summary)
        legacy_communes = _sync_units(source.legacy_communes, districts, summary)
        communes = _sync_units(source.communes, city, summary)
        _sync_successions(source.successions, legacy_communes, communes, summary)
    summary.districts = len(districts)
    summary.legacy_communes = len(legacy_communes)
    summary.communes = len(communes)
    summary.successions = len(source.successions)
    return summary


def _sync_units(
    sources: list[SourceUnit], parents: dict[str, AdministrativeUnit], summary: LoadSummary
) -> dict[str, AdministrativeUnit]:
    """Create or update the units of one level (all of one structure); returns them by key."""
    structure = sources[0].structure
    existing = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(structure=structure, code__in=[s.code for s in sources])
    }
    to_create, to_update, changed_fields = [], [], set()
    for source in sources:
        values = {
            "name": source.name,
            "level": source.level,
            "kind": source.kind,
            "area": source.area,
            "parent_id": parents[source.parent_key].pk if source.parent_key else None,
            "valid_from": source.valid_from,
            "valid_to": source.valid_to,
            "latitude": source.latitude,
            "longitude": source.longitude,
        }
        unit = existing.get(source.code)
        if unit is None:
            unit = AdministrativeUnit(code=source.code, structure=structure, **values)
            to_create.append(unit)
        else:
            changed = [name for name, value in values.items() if getattr(unit, name) != value]
            if not changed:
                continue
            for name in changed:
                setattr(unit, name, values[name])
            changed_fields.update(changed)
            to_update.append(unit)
        # The parent was just saved and (code, structure) is the key matched on: skip those queries.
        unit.full_clean(exclude=["parent"], validate_unique=False, validate_constraints=False)
    AdministrativeUnit.objects.bulk_create(to_create)
    if to_update:
        AdministrativeUnit.objects.bulk_update(to_update, sorted(changed_fields))
    summary.units_created += len(to_create)
    summary.units_updated += len(to_update)
    # Re-read rather than rely on bulk_create returning primary keys on every backend.
    saved = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(structure=structure, code__in=[s.code for s in sources])
    }
    return {source.key: saved[source.code] for source in sources}


def _sync_successions(
    successions: list[SourceSuccession],
    legacy_communes: dict[str, AdministrativeUnit],
    communes: dict[str, AdministrativeUnit],
    summary: LoadSummary,
) -> None:
    """Make the successions out of these old communes exactly those of the package."""
    wanted = {(legacy_communes[s.predecessor_key].pk, communes[s.successor_key].pk): s.is_primary for s in successions}
    existing = {
        (row.predecessor_id, row.successor_id): row
        for row in Succession.objects.filter(predecessor__in=[unit.pk for unit in legacy_communes.values()])
    }
    stale = [row.pk for pair, row in existing.items() if pair not in wanted]
    to_update = []
    for pair, is_primary in wanted.items():
        row = existing.get(pair)
        if row is not None and row.is_primary != is_primary:
            row.is_primary = is_primary
            to_update.append(row)
    to_create = [
        Succession(predecessor_id=old, successor_id=new, is_primary=is_primary)
        for (old, new), is_primary in wanted.items()
        if (old, new) not in existing
    ]
    if stale:
        Succession.objects.filter(pk__in=stale).delete()
    Succession.objects.bulk_update(to_update, ["is_primary"])
    Succession.objects.bulk_create(to_create)
    summary.successions_created = len(to_create)
    summary.successions_updated = len(to_update)
    summary.successions_deleted = len(stale)
