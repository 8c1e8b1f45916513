"""preview_standard [--year Y] [--unit CODE] [--format json|csv]: the coming standard's impact.

Re-classifies every household's review of year Y (default: the latest reviewed year after which
the standard changes, households.impact.default_year) under the
standard of the next periodic review, per commune, district (old structure) and the city, as a
range where the new standard asks indicators the old did not (households.impact).
"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from households import impact


class Command(BaseCommand):
    help = "Ước tính tác động của chuẩn nghèo kỳ tới lên từng xã, huyện và thành phố, trước khi rà soát."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help="Năm rà soát làm gốc (mặc định: năm gần nhất trước khi đổi chuẩn nghèo)."
        )
        parser.add_argument("--unit", help="Mã GSO của một đơn vị (01 là thành phố).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, year, unit, format, **options):
        year = year or impact.default_year()
        if year is None:
            raise CommandError("Chưa có kết quả rà soát nào.")
        try:
            rows = [item.record() for item in impact.preview(year, unit)]
        except impact.NoComingStandard as error:
            raise CommandError(str(error)) from error
        if unit is not None and not rows:
            raise CommandError(f"Không có đơn vị mã «{unit}» có kết quả rà soát năm {year}.")
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=impact.FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            flows = {name: json.dumps(row[name], ensure_ascii=False) for name in ("flows_low", "flows_high")}
            writer.writerow({**row, **flows})
