"""Forms of the officer pages: login, households, members and the annual review."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from households import accounts


class ThrottledLoginMixin:
    """Refuse a username+address pair that failed too often, before checking the password."""

    throttled_message = _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = accounts.client_address(self.request)
        if accounts.login_blocked(username, address):
            raise ValidationError(self.throttled_message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                accounts.record_login_failure(username, address)
                if accounts.login_blocked(username, address):
                    raise ValidationError(self.throttled_message, code="throttled") from error
            raise
        accounts.clear_login_failures(username, address)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
