"""recompute_progress [--year Y]: the nightly recompute, run synchronously."""

from django.core.management.base import BaseCommand, CommandError

from households.management.output import grouped
from reports.recompute import RecomputeBusy, recompute_progress


class Command(BaseCommand):
    help = "Tính lại toàn bộ chỉ tiêu cho mọi xã, huyện và thành phố (đồng bộ)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Chỉ tính lại năm này; các năm khác giữ nguyên.")

    def handle(self, *args, year, **options):
        try:
            run = recompute_progress(year=year, requested_by="recompute_progress")
        except RecomputeBusy as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:
            raise CommandError(f"Tính toán thất bại: {exc}") from exc
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"Lượt #{run.pk}: {grouped(run.rows)} dòng chỉ tiêu trong {grouped(seconds, 2)} giây.")
