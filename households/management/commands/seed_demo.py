"""seed_demo [--households N] [--seed S] [--if-empty]: the portal's synthetic demo data (households.demo)."""

from django.core.management.base import BaseCommand, CommandError

from households.demo import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, DatabaseNotEmpty, DemoRefused, seed_demo
from households.management.output import grouped


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu tổng hợp (hộ, thành viên, kết quả rà soát 2021–2024, tổng số hộ) tái hiện "
        "số liệu công bố của Hà Nội; chỉ trên cơ sở dữ liệu trống."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"Số hộ trong sổ (mặc định {DEFAULT_HOUSEHOLDS}; ít hơn thì chuỗi số liệu được thu nhỏ theo tỷ lệ).",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Bỏ qua (không báo lỗi) nếu cơ sở dữ liệu đã có dữ liệu."
        )

    def handle(self, *args, households, seed, if_empty, **options):
        try:
            summary = seed_demo(households=households, seed=seed)
        except DatabaseNotEmpty as exc:
            if if_empty:
                self.stdout.write(f"{exc} Bỏ qua dữ liệu mẫu.")
                return
            raise CommandError(f"{exc} Hãy dùng một cơ sở dữ liệu trống.") from None
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            f"Dữ liệu mẫu (hạt giống {summary.seed}): {grouped(summary.households)} hộ, {grouped(summary.members)} thành viên, "
            f"{grouped(summary.reviews)} kết quả rà soát, {grouped(summary.unit_years)} dòng tổng số hộ "
            f"trong {grouped(summary.seconds, 1)} giây."
        )
        for year in sorted(summary.poor):
            self.stdout.write(
                f"  Cuối năm {year}: {grouped(summary.poor[year])} hộ nghèo, {grouped(summary.near_poor[year])} hộ cận nghèo."
            )
