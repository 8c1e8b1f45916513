"""seed_demo [--households N] [--seed S] [--if-empty]: the portal's synthetic demo data (demo).

The output says of every figure whether it is published, chosen by the demo, or synthetic.
"""

from django.core.management.base import BaseCommand, CommandError

from demo import (
    CURRENT_YEARS,
    DEFAULT_HOUSEHOLDS,
    DEFAULT_SEED,
    HISTORY_YEARS,
    IN_PROGRESS_YEAR,
    PUBLISHED_NEAR_POOR,
    PUBLISHED_POOR,
    DatabaseNotEmpty,
    DemoRefused,
    DemoSummary,
    seed_demo,
)
from households.management.output import grouped
from households.workflow import YearState


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu giả lập (hộ, thành viên, kết quả rà soát 2021–2024 tái hiện số liệu công bố của Hà Nội; "
        "rà soát 2025 trên 126 xã, phường và rà soát cuối năm 2026 đang làm dở, số liệu giả lập; tổng số hộ; "
        "các tài khoản demo còn thiếu); chỉ trên cơ sở dữ liệu trống."
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
        for line in summary_lines(summary):
            self.stdout.write(line)


def _figure(value: int, what: str, year: int, published: dict[int, int], scaled: bool, note: str) -> str:
    """ "3.612 hộ nghèo (số công bố)"; scaled series say so once, above."""
    if scaled:
        return f"{grouped(value)} {what}"
    return f"{grouped(value)} {what} ({'số công bố' if year in published else note})"


def summary_lines(summary: DemoSummary) -> list[str]:
    """What the demo wrote, saying of every figure whether it is published or chosen (docs/published-figures.md)."""
    scaled = summary.scale != 1
    lines = [
        f"Dữ liệu mẫu (hạt giống {summary.seed}): {grouped(summary.households)} hộ, {grouped(summary.members)} thành viên, "
        f"{grouped(summary.reviews)} kết quả rà soát, {grouped(summary.transitions)} lần chuyển trạng thái rà soát, "
        f"{grouped(summary.unit_years)} dòng tổng số hộ trong {grouped(summary.seconds, 1)} giây. Mọi hộ đều là hộ giả lập."
    ]
    if scaled:
        lines.append(
            f"  Chuỗi số liệu thu nhỏ theo tỷ lệ {summary.scale.numerator}/{summary.scale.denominator} số công bố: "
            "không số nào dưới đây là số công bố."
        )
    lines.append(f"  Lịch sử {HISTORY_YEARS[0]}–{HISTORY_YEARS[-1]}, trên 526 xã, phường trước 1/7/2025:")
    for year in HISTORY_YEARS:
        poor = _figure(summary.poor[year], "hộ nghèo", year, PUBLISHED_POOR, scaled, "số tự chọn")
        near_note = "số tự chọn, không phải số công bố"
        if year == 2024:
            near_note += "; 9.570 là số công bố của riêng khu vực nông thôn, chưa có số toàn thành phố"
        near_poor = _figure(summary.near_poor[year], "hộ cận nghèo", year, PUBLISHED_NEAR_POOR, scaled, near_note)
        lines.append(f"    Cuối năm {year}: {poor}, {near_poor}.")
    lines.append(
        "  Chu kỳ hiện tại, trên 126 xã, phường từ 1/7/2025 (SỐ LIỆU GIẢ LẬP: chưa có số công bố cuối năm 2025, 2026):"
    )
    for year in CURRENT_YEARS:
        standard = summary.standards.get(year, "")
        if year != IN_PROGRESS_YEAR:
            lines.append(
                f"    Cuối năm {year} (chuẩn {standard}): {grouped(summary.communes[year])} xã, phường đã rà soát, "
                f"Sở phê duyệt {grouped(summary.approved_communes[year])}; {grouped(summary.poor[year])} hộ nghèo, "
                f"{grouped(summary.near_poor[year])} hộ cận nghèo."
            )
            continue
        progress = summary.progress
        lines.append(
            f"    Cuối năm {year} (chuẩn {standard}, năm đầu kỳ, đang rà soát): "
            f"{grouped(progress[YearState.APPROVED])} xã, phường đã được Sở phê duyệt, "
            f"{grouped(progress[YearState.SUBMITTED])} đã gửi chờ phê duyệt, "
            f"{grouped(progress[YearState.RETURNED])} bị trả lại, "
            f"{grouped(progress[YearState.DRAFT])} mới có phiếu nháp, "
            f"{grouped(progress[YearState.NOT_STARTED])} chưa bắt đầu."
        )
        lines.append(
            f"      Trong các phiếu đã nhập: {grouped(summary.poor[year])} hộ nghèo, {grouped(summary.near_poor[year])} "
            f"hộ cận nghèo; đã phê duyệt: {grouped(summary.approved_poor[year])} hộ nghèo, "
            f"{grouped(summary.approved_near_poor[year])} hộ cận nghèo."
        )
    return lines
