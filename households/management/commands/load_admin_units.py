"""load_admin_units [--province 01]: Hanoi's units of both structures and their succession."""

from django.core.management.base import BaseCommand, CommandError

from households.admin_units import AdminUnitsRefused, load_admin_units


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính trước và từ 1/7/2025 cùng quan hệ kế thừa, từ gói vietnamadminunits."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="01", help="Mã tỉnh (GSO); hiện chỉ hỗ trợ Hà Nội, 01.")

    def handle(self, *args, province, **options):
        try:
            summary = load_admin_units(province_code=province)
        except AdminUnitsRefused as refused:
            for problem in refused.problems:
                self.stderr.write(problem)
            raise CommandError(f"Không nạp đơn vị nào: {len(refused.problems)} lỗi.") from None
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Tỉnh {summary.province_code}: {summary.districts} đơn vị cấp huyện, "
            f"{summary.legacy_communes} xã cũ, {summary.communes} xã mới, {summary.successions} quan hệ kế thừa; "
            f"đơn vị {summary.units_created} tạo mới, {summary.units_updated} cập nhật; "
            f"kế thừa {summary.successions_created} tạo mới, {summary.successions_updated} cập nhật, "
            f"{summary.successions_deleted} xoá."
        )
