"""create_api_token USERNAME [--revoke]: print a new API token for a user, or revoke it.

The token carries the user's role and unit: an officer's token sees what the officer sees
(households.visibility), a city leader's reads everything and writes nothing. A new token replaces
the old one, so running the command again is also how a leaked token is rotated. The database
keeps only a digest of it (django-rest-knox): this is the one time it is shown.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from households import accounts


class Command(BaseCommand):
    help = "Tạo (hoặc thay) token API của người dùng và in ra một lần; --revoke để thu hồi."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="Thu hồi token hiện có, không tạo mới.")

    def handle(self, *args, username, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{username}».")
        if revoke:
            deleted = accounts.revoke_api_tokens(user)
            self.stdout.write("Đã thu hồi token." if deleted else "Người dùng chưa có token.")
            return
        try:
            token = accounts.issue_api_token(user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(token)
