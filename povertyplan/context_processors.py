"""Navigation shown in base.html: the pages the signed-in user may use (a city leader, who never
writes, is not offered the upload page)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from households.visibility import can_write


def _everyone(user) -> bool:
    return True


NAV = [
    ("reports:city", _("Tiến độ"), _everyone),
    ("reports:impact", _("Chuẩn nghèo mới"), _everyone),
    ("households:list", _("Hộ gia đình"), _everyone),
    ("households:at_risk", _("Nguy cơ tái nghèo"), _everyone),
    ("households:import", _("Nhập tệp"), can_write),
    ("households:workflow", _("Phê duyệt"), _everyone),
    ("api-docs", _("API"), _everyone),
]


def navigation(request):
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": [{"url": reverse(name), "label": label} for name, label, shown in NAV if shown(user)]}
