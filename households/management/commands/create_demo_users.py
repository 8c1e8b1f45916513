"""create_demo_users: the demo logins of `make run` (demo only: simple printed passwords).

Who is who: demo.users (seed_demo creates the same users, since the city officer
approves the demo's 2025 and 2026 reviews).
"""

from django.core.management.base import BaseCommand, CommandError

from demo.users import ensure_demo_users
from households.models import AdministrativeUnit, Role, Structure

STRUCTURE_LABELS = {Structure.LEGACY: "trước 1/7/2025", Structure.REFORM_2025: "từ 1/7/2025"}


class Command(BaseCommand):
    help = "Tạo (nếu chưa có) các tài khoản demo và in bảng đăng nhập. Chỉ dùng cho bản demo."

    header = ("Tên đăng nhập", "Mật khẩu", "Vai trò", "Đơn vị", "Cơ cấu", "")

    def handle(self, *args, **options):
        if not AdministrativeUnit.objects.exists():
            raise CommandError("Chưa có đơn vị hành chính: chạy load_admin_units trước.")
        rows = []
        for login in ensure_demo_users():
            user, unit = login.user, login.unit
            password = login.spec.password
            rows.append(
                (
                    user.username,
                    password if login.created or user.check_password(password) else "(đã đổi)",
                    Role(user.role).label if user.role in Role.values else user.role,
                    str(unit),
                    STRUCTURE_LABELS.get(unit.structure, "") if not unit.is_city else "",
                    "mới tạo" if login.created else "đã có",
                )
            )
        widths = [max(len(str(row[i])) for row in [*rows, self.header]) for i in range(len(self.header))]
        for row in [self.header, tuple("-" * w for w in widths), *rows]:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
