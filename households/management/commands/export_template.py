"""export_template [PATH]: the empty review import template (.xlsx, Vietnamese headers)."""

from django.core.management.base import BaseCommand

from households.exports import write_template


class Command(BaseCommand):
    help = "Xuất mẫu nhập kết quả rà soát (.xlsx, tiêu đề tiếng Việt)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="mau-ra-soat-ho-ngheo.xlsx")
        parser.add_argument("--year", type=int, help="Chỉ liệt kê xã/phường có hiệu lực trong năm này.")

    def handle(self, *args, path, year, **options):
        with open(path, "wb") as stream:
            write_template(stream, year=year)
        self.stdout.write(f"Đã ghi mẫu vào {path}.")
