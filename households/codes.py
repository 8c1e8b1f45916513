"""Household codes: which codes an officer may give a new household.

A household's code is unique in the whole city (it joins files, the API and the history to the
household, and a household keeps it when the 2025 reform moves it to another commune). So an
answer to "create household X" that depends on whether X exists elsewhere would tell an officer of
one commune which codes another commune holds: a dry-run upload could enumerate them.

The portal closes that door with a namespace. A new household's code starts with its commune's
GSO code, `HN-<commune>-` (`HN-09625-00017`), the pattern the registry's codes already follow. An
officer may mint codes in their own communes' namespaces only; any other code that is not one of
the officer's households gets one answer, "not in your scope", whether or not it exists. Codes
minted before, or loaded by an administrator or the import command, are kept as they are.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from households.models import AdministrativeUnit, Household

WIDTH = 5  # digits of the serial part: 99,999 households per commune


def prefix(commune: AdministrativeUnit) -> str:
    """The start of every new household code of `commune`."""
    return f"HN-{commune.code}-"


def may_mint(user, code: str, commune: AdministrativeUnit) -> bool:
    """Whether `user` may give a new household of `commune` this code (the namespace above).
    Administrators and the import command (no user) load codes as the files give them."""
    if user is None or user.is_administrator:
        return True
    return code.startswith(prefix(commune)) and len(code) > len(prefix(commune))


def out_of_scope_message(code: str, commune: AdministrativeUnit | None) -> str:
    """One answer for a code outside the officer's households, whether or not it exists."""
    message = _("Hộ «%(code)s» không thuộc phạm vi của bạn.") % {"code": code}
    if commune is not None:
        message += " " + _("Hộ mới của %(commune)s mang mã bắt đầu bằng «%(prefix)s».") % {
            "commune": commune.name,
            "prefix": prefix(commune),
        }
    return message


def next_code(commune: AdministrativeUnit) -> str:
    """The next free code of `commune`'s namespace: one above the highest serial in use."""
    start = prefix(commune)
    pattern = rf"^{re.escape(start)}[0-9]+$"
    # Compared as numbers: a serial typed by hand without its zeros ("HN-09625-9") sorts after
    # "HN-09625-00100" as text.
    codes = Household.objects.filter(code__regex=pattern).values_list("code", flat=True)
    serial = max((int(code[len(start) :]) for code in codes), default=0)
    return f"{start}{serial + 1:0{WIDTH}d}"
