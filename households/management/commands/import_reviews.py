"""import_reviews PATH: the review importer from the command line (same service as the web page)."""

from django.core.management.base import BaseCommand, CommandError

from households.importer import ImportRefused, import_reviews
from households.models import ReviewState


class Command(BaseCommand):
    help = "Nhập kết quả rà soát hộ nghèo, cận nghèo từ tệp .xlsx hoặc .csv (mẫu của cổng)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Kiểm tra và xem trước, không ghi.")
        parser.add_argument(
            "--state",
            choices=ReviewState.values,
            default=ReviewState.APPROVED,
            help="Trạng thái của phiếu được nhập (mặc định: đã phê duyệt, vì tệp từ dòng lệnh là kết quả đã công nhận).",
        )

    def handle(self, *args, path, dry_run, state, **options):
        try:
            with open(path, "rb") as handle:
                result = import_reviews(handle, filename=path, state=state, dry_run=dry_run)
        except FileNotFoundError as exc:
            raise CommandError(f"Không tìm thấy tệp {path}.") from exc
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Tệp bị từ chối: {len(refused.errors)} lỗi; không có dữ liệu nào được ghi.") from None
        prefix = "Xem trước (không ghi): " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.rows} dòng; hộ: {result.households_created} mới, {result.households_updated} cập nhật; "
            f"phiếu: {result.reviews_created} mới, {result.reviews_updated} cập nhật, "
            f"{result.reviews_unchanged} không đổi; biến động cập nhật: {result.movements_updated}."
        )
        if options["verbosity"] > 1:
            self.stdout.write(f"Phân loại: {dict(result.classes)}; biến động: {dict(result.movements)}")
