"""import_unit_totals PATH: total resident households per unit and year (unit_code, year, total_households)."""

from django.core.management.base import BaseCommand, CommandError

from households.importer import ImportRefused, import_unit_totals
from households.management.output import grouped


class Command(BaseCommand):
    help = "Nhập tổng số hộ dân cư theo đơn vị và năm (cột unit_code, year, total_households)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            with open(path, "rb") as handle:
                result = import_unit_totals(handle, filename=path)
        except FileNotFoundError as exc:
            raise CommandError(f"Không tìm thấy tệp {path}.") from exc
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Tệp bị từ chối: {len(refused.errors)} lỗi; không có dữ liệu nào được ghi.") from None
        self.stdout.write(
            f"{grouped(result.rows)} dòng: {grouped(result.created)} mới, {grouped(result.updated)} cập nhật, "
            f"{grouped(result.unchanged)} không đổi."
        )
