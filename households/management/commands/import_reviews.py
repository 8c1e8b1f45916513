"""import_reviews PATH: the review importer from the command line (same service as the web page)."""

from django.core.management.base import BaseCommand, CommandError

from households.importer import ImportRefused, import_reviews
from households.management.output import grouped, labelled_counts
from households.models import Movement, PovertyClass, ReviewState


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
            f"{prefix}{grouped(result.rows)} dòng; hộ: {grouped(result.households_created)} mới, "
            f"{grouped(result.households_updated)} cập nhật; phiếu: {grouped(result.reviews_created)} mới, "
            f"{grouped(result.reviews_updated)} cập nhật, {grouped(result.reviews_unchanged)} không đổi; "
            f"biến động cập nhật: {grouped(result.movements_updated)}."
        )
        self.stdout.write(f"Phân loại: {labelled_counts(result.classes, PovertyClass)}.")
        self.stdout.write(f"Biến động: {labelled_counts(result.movements, Movement)}.")
