"""The demo logins of `make run`: who is who in both structures (demo only: simple printed passwords).

Until 30 Jun 2025 a commune's review went to its district for approval; from 1 Jul 2025 there are
no districts and the city's Department of Agriculture and Environment (Sở Nông nghiệp và Môi
trường, which took over poverty reduction in 2025) approves the communes' reviews. The demo has
an officer of each kind: the old structure's Ba Vì district and Phú Cường commune, today's Cổ Đô
commune (the primary successor of Phú Cường) and the city department.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from demo.plan import DEMO_COMMUNE_2025
from households import accounts
from households.models import AdministrativeUnit, Role, Structure


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    unit_code: str
    structure: Structure | None  # None: the code is not ambiguous (the city, a district)
    name: str
    password: str


DEMO_USERS = [
    DemoUser("admin", Role.ADMINISTRATOR, "01", None, "Quản trị Hệ thống", "admin-demo-2025"),
    DemoUser("lanhdao", Role.CITY_LEADER, "01", None, "Lãnh đạo Thành phố", "lanhdao-demo-2025"),
    DemoUser("so.nnmt", Role.CITY_OFFICER, "01", None, "Cán bộ Sở Nông nghiệp và Môi trường", "nnmt-demo-2025"),
    DemoUser("huyen.bavi", Role.DISTRICT_OFFICER, "271", None, "Cán bộ Huyện Ba Vì", "bavi-demo-2025"),
    DemoUser(
        "xa.phucuong", Role.COMMUNE_OFFICER, "09625", Structure.LEGACY, "Cán bộ Xã Phú Cường", "phucuong-demo-2025"
    ),
    DemoUser(
        "xa.codo", Role.COMMUNE_OFFICER, DEMO_COMMUNE_2025, Structure.REFORM_2025, "Cán bộ Xã Cổ Đô", "codo-demo-2025"
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    spec: DemoUser
    user: object  # the User
    unit: AdministrativeUnit
    created: bool


def ensure_demo_users() -> list[DemoLogin]:
    """Create the demo users that do not exist yet (an existing username is left as it is)."""
    User = get_user_model()
    logins = []
    for spec in DEMO_USERS:
        unit = accounts.resolve_unit(spec.unit_code, structure=spec.structure)
        user = User.objects.filter(username=spec.username).select_related("unit").first()
        created = user is None
        if created:
            user = accounts.create_user(
                username=spec.username,
                role=spec.role,
                unit=unit,
                password=spec.password,
                first_name=spec.name,  # the whole name: the navigation bar shows it as it is
                validate_password=False,
            )
        logins.append(DemoLogin(spec, user, user.unit or unit, created))
    return logins


def demo_user(logins: list[DemoLogin], role: Role, unit: AdministrativeUnit):
    """The demo user of this role and unit, if the demo has one (and it still has that role)."""
    return next(
        (x.user for x in logins if x.user.role == role and x.user.unit_id == unit.pk and x.spec.role == role), None
    )
