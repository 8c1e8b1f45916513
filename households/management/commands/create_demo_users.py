"""create_demo_users: the demo logins of `make run` (demo only: simple printed passwords)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from households import accounts
from households.models import AdministrativeUnit, Role, Structure

# username, role, unit code, structure, display name, password
DEMO_USERS = [
    ("admin", Role.ADMINISTRATOR, "01", None, "Quản trị Hệ thống", "admin-demo-2025"),
    ("lanhdao", Role.CITY_LEADER, "01", None, "Lãnh đạo Thành phố", "lanhdao-demo-2025"),
    ("huyen.bavi", Role.DISTRICT_OFFICER, "271", None, "Cán bộ Huyện Ba Vì", "bavi-demo-2025"),
    ("xa.phucuong", Role.COMMUNE_OFFICER, "09625", Structure.LEGACY, "Cán bộ Xã Phú Cường", "phucuong-demo-2025"),
]


class Command(BaseCommand):
    help = "Tạo (nếu chưa có) các tài khoản demo và in bảng đăng nhập. Chỉ dùng cho bản demo."

    def handle(self, *args, **options):
        if not AdministrativeUnit.objects.exists():
            raise CommandError("Chưa có đơn vị hành chính: chạy load_admin_units trước.")
        User = get_user_model()
        rows = []
        for username, role, code, structure, name, password in DEMO_USERS:
            unit = accounts.resolve_unit(code, structure=structure)
            user = User.objects.filter(username=username).first()
            if user is None:
                last, _, first = name.rpartition(" ")
                user = accounts.create_user(
                    username=username,
                    role=role,
                    unit=unit,
                    password=password,
                    first_name=first,
                    last_name=last,
                    validate_password=False,
                )
                state = "mới tạo"
            else:
                state = "đã có"
            rows.append(
                (
                    username,
                    password if state == "mới tạo" or user.check_password(password) else "(đã đổi)",
                    Role(role).label,
                    str(unit),
                    state,
                )
            )
        widths = [max(len(str(row[i])) for row in [*rows, self.header]) for i in range(5)]
        for row in [self.header, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))

    header = ("Tên đăng nhập", "Mật khẩu", "Vai trò", "Đơn vị", "")
