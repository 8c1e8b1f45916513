"""create_api_token USERNAME [--revoke]: print a new API token for a user, or revoke it.

The token carries the user's role and unit: an officer's token sees what the officer sees
(households.visibility), a city leader's reads everything and writes nothing. A new token replaces
the old one, so running the command again is also how a leaked token is rotated.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Tạo (hoặc thay) token API của người dùng và in ra; --revoke để thu hồi."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="Thu hồi token hiện có, không tạo mới.")

    def handle(self, *args, username, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{username}».")
        with transaction.atomic():
            deleted, _ = Token.objects.filter(user=user).delete()
            if revoke:
                message = "Đã thu hồi token." if deleted else "Người dùng chưa có token."
                self.stdout.write(message)
                return
            if not user.is_active:
                raise CommandError(f"Người dùng «{username}» đã bị khóa; không tạo token.")
            token = Token.objects.create(user=user)
        self.stdout.write(token.key)
