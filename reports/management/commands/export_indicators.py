"""export_indicators [--unit CODE] [--year Y] [--format json|csv]: the snapshot, same fields as the API."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from households.models import Structure
from reports.queries import INDICATOR_FIELDS, current_run, indicator_record, plain, snapshot


class Command(BaseCommand):
    help = "In các chỉ tiêu đã tính (cùng trường với API indicators/)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="Mã GSO của đơn vị (01 là thành phố).")
        parser.add_argument("--year", type=int)
        parser.add_argument("--level", choices=["city", "district", "commune"])
        parser.add_argument("--structure", type=int, choices=[Structure.REFORM_2025], help="2025: theo đơn vị mới.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, unit, year, level, structure, format, **options):
        if current_run() is None:
            raise CommandError("Chưa có số liệu tổng hợp: hãy chạy recompute_progress trước.")
        records = [
            indicator_record(value) for value in snapshot(unit=unit, year=year, level=level, structure=structure)
        ]
        if format == "json":
            self.stdout.write(json.dumps([plain(record) for record in records], ensure_ascii=False, indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=INDICATOR_FIELDS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow(
                {k: ("" if v is None else v.isoformat() if hasattr(v, "isoformat") else v) for k, v in record.items()}
            )
