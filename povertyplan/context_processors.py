"""Navigation shown in base.html, by role; a link appears once its page exists."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    ("reports:city", _("Tiến độ")),
    ("households:list", _("Hộ gia đình")),
    ("households:import", _("Nhập tệp")),
    ("households:workflow", _("Phê duyệt")),
    ("api-docs", _("API")),
]


def navigation(request):
    if not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    for name, label in NAV:
        try:
            items.append({"url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return {"nav_items": items}
