"""User accounts: creating officers bound to one unit, and throttling password guessing.

Roles and scopes follow docs/review-cycle.md ("Who may do what"): a commune officer holds one commune, a district
officer one district (or a single commune), city leaders, the city officer and administrators the
city "01". User.clean() runs the same check, so the admin's user page cannot bypass it.
GSO codes are reused across the 2025 restructuring (docs/admin-units.md), so a commune code is read as
the unit in force on `as_of` (today by default) unless a structure is asked for.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from households.models import AdministrativeUnit, Role, Structure, UnitLevel, in_force_of

CITY_CODE = "01"
# Which unit levels each role may be bound to.
ROLE_LEVELS: dict[str, set[str]] = {
    Role.COMMUNE_OFFICER: {UnitLevel.COMMUNE},
    Role.DISTRICT_OFFICER: {UnitLevel.DISTRICT, UnitLevel.COMMUNE},
    Role.CITY_OFFICER: {UnitLevel.CITY},
    Role.CITY_LEADER: {UnitLevel.CITY},
    Role.ADMINISTRATOR: {UnitLevel.CITY},
}


def resolve_unit(code: str, *, structure: int | None = None, as_of: datetime.date | None = None) -> AdministrativeUnit:
    """The unit a GSO code names: "01" the city, 3 digits a (legacy) district, 5 digits a commune.

    A commune code that exists in both structures means the one in force on `as_of`; `structure`
    (2008 or 2025) picks one explicitly.
    """
    code = (code or "").strip()
    units = AdministrativeUnit.objects.filter(code=code)
    if code == CITY_CODE:
        units = units.filter(level=UnitLevel.CITY)
    elif len(code) == 3:
        units = units.filter(level=UnitLevel.DISTRICT)
    elif len(code) == 5:
        units = units.filter(level=UnitLevel.COMMUNE)
    else:
        raise ValidationError(
            {"unit": f"Mã đơn vị «{code}» không hợp lệ: 01 (thành phố), 3 chữ số (huyện) hoặc 5 chữ số (xã)."}
        )
    if structure is not None:
        if structure not in Structure.values:
            raise ValidationError({"unit": f"Cơ cấu hành chính «{structure}» không tồn tại (2008 hoặc 2025)."})
        units = units.with_code(code, structure=structure)
    found = list(units)
    if not found:
        raise ValidationError({"unit": f"Không có đơn vị hành chính mã «{code}»."})
    if len(found) == 1:
        return found[0]
    # Today that is the 2025 unit; before the reform, the legacy one.
    return in_force_of(found, as_of or timezone.localdate()) or sorted(found, key=lambda u: u.structure)[-1]


def check_role_fits_unit(role: str, unit: AdministrativeUnit) -> None:
    if role not in ROLE_LEVELS:
        raise ValidationError({"role": f"Vai trò «{role}» không tồn tại ({', '.join(Role.values)})."})
    if unit.level not in ROLE_LEVELS[role]:
        raise ValidationError(
            {
                "unit": f"{Role(role).label} không thể gắn với {unit.name} ({UnitLevel(unit.level).label.lower()}): "
                + {
                    Role.COMMUNE_OFFICER: "cần một xã/phường.",
                    Role.DISTRICT_OFFICER: "cần một quận/huyện (hoặc một xã).",
                    Role.CITY_OFFICER: "cần đơn vị thành phố (01).",
                    Role.CITY_LEADER: "cần đơn vị thành phố (01).",
                    Role.ADMINISTRATOR: "cần đơn vị thành phố (01).",
                }[role]
            }
        )


def create_user(
    *,
    username: str,
    role: str,
    unit: AdministrativeUnit,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate_password: bool = True,
):
    """Create a portal user bound to `unit`; administrators become staff and superusers.

    `password` None leaves the account without a usable password (set later by an administrator).
    """
    from django.contrib.auth.password_validation import validate_password as check_password

    User = get_user_model()
    check_role_fits_unit(role, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"Tên đăng nhập «{username}» đã có."})
    is_admin = role == Role.ADMINISTRATOR
    user = User(
        username=username,
        role=role,
        unit=unit,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    if password is None:
        user.set_unusable_password()
    else:
        if validate_password:
            check_password(password, user)
        user.set_password(password)
    user.full_clean()
    with transaction.atomic():
        user.save()
    return user


# ---------------------------------------------------------------------------------------------
# Throttling password guessing (the combination rule of django-axes): after LIMIT failures of one
# username from one address within WINDOW, that pair is refused for LOCKOUT. Only the pair: a
# lock on the address alone let anyone behind the same office NAT who mistyped other names lock
# the administrator's right password out. An operator lifts a lock with `manage.py unlock_login`.
# The cache must be shared between processes in production (CACHE_URL=redis://...).

LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = 15 * 60
LOGIN_LOCKOUT = 15 * 60


def _key(username: str, address: str) -> str:
    pair = hashlib.sha256(f"{(username or '').strip().lower()}|{address}".encode()).hexdigest()
    return f"login-failures:{pair}"


def login_blocked(username: str, address: str) -> bool:
    return bool(cache.get(f"{_key(username, address)}:locked"))


def record_login_failure(username: str, address: str) -> None:
    key = _key(username, address)
    cache.add(key, 0, LOGIN_FAILURE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOGIN_FAILURE_WINDOW)
        count = 1
    if count >= LOGIN_FAILURE_LIMIT:
        cache.set(f"{key}:locked", True, LOGIN_LOCKOUT)


def clear_login_failures(username: str, address: str) -> None:
    key = _key(username, address)
    cache.delete_many([key, f"{key}:locked"])


def client_address(request) -> str:
    """The caller's address: REMOTE_ADDR, or behind the deployment's reverse proxy
    (TRUSTED_PROXY_HEADER, deploy/nginx) the last X-Forwarded-For entry, the one the proxy itself
    added; the entries before it are whatever the client says."""
    if request is None:
        return ""
    if getattr(settings, "TRUSTED_PROXY_HEADER", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def display_name(user) -> str:
    """A user's name in Vietnamese order (họ, tên đệm, tên), else the username."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


class UnitLoadingBackend(ModelBackend):
    """Django's ModelBackend, loading the user's unit with the user in one query: every page shows
    it and the visibility rule (households.visibility) reads it."""

    def get_user(self, user_id):
        User = get_user_model()
        user = User._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


# ---------------------------------------------------------------------------------------------
# API tokens (django-rest-knox): the database keeps a digest; the token is shown once, here.


def issue_api_token(user) -> str:
    """A new token for `user`, replacing any earlier one (so issuing again rotates a leaked token)."""
    from knox.models import AuthToken

    if not user.is_active:
        raise ValidationError({"username": f"Người dùng «{user.username}» đã bị khóa; không tạo token."})
    with transaction.atomic():
        AuthToken.objects.filter(user=user).delete()
        _, token = AuthToken.objects.create(user=user, expiry=None)
    return token


def revoke_api_tokens(user) -> int:
    from knox.models import AuthToken

    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
