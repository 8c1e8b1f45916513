"""create_user USERNAME --role ROLE --unit CODE [--password P] [--structure 2008|2025]."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from households import accounts
from households.models import Role


class Command(BaseCommand):
    help = "Tạo người dùng gắn với một đơn vị hành chính (mật khẩu từ --password hoặc nhập khi được hỏi)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", required=True, help="Mã GSO: 01 thành phố, 3 chữ số huyện, 5 chữ số xã.")
        parser.add_argument(
            "--structure", type=int, choices=[2008, 2025], help="Cơ cấu của mã xã (mặc định: đang hiệu lực)."
        )
        parser.add_argument("--password")
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="Họ tên hiển thị.")

    def handle(self, *args, username, role, unit, structure, password, email, name, **options):
        try:
            resolved = accounts.resolve_unit(unit, structure=structure)
            accounts.check_role_fits_unit(role, resolved)
            if password is None:
                password = getpass.getpass("Mật khẩu: ")
                if password != getpass.getpass("Nhập lại mật khẩu: "):
                    raise CommandError("Hai lần nhập mật khẩu không khớp.")
            last, _, first = name.rpartition(" ")
            user = accounts.create_user(
                username=username,
                role=role,
                unit=resolved,
                password=password,
                email=email,
                first_name=first,
                last_name=last,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Đã tạo {user.username}: {Role(role).label}, {resolved} (cơ cấu {resolved.structure}).")
