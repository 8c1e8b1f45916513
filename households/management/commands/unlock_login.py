"""Lift a login lock before it expires: `manage.py unlock_login USERNAME ADDRESS`."""

from django.core.management.base import BaseCommand

from households import accounts


class Command(BaseCommand):
    help = "Gỡ khóa đăng nhập của một tên đăng nhập từ một địa chỉ IP (khóa tự hết sau 15 phút)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("address", help="địa chỉ IP mà máy chủ thấy (REMOTE_ADDR)")

    def handle(self, *args, username: str, address: str, **options):
        accounts.clear_login_failures(username, address)
        self.stdout.write(f"Đã gỡ khóa đăng nhập của «{username}» từ {address}.")
