"""Accounts: officers bound to one unit, created from the command line; login throttled."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from households import accounts
from households.models import Role, Structure, UnitLevel

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_create_user_binds_a_district_officer_to_a_legacy_district(admin_units):
    call_command("create_user", "bavi", "--role", "district_officer", "--unit", "271", "--password", "x-Secret-2025")
    user = User.objects.get(username="bavi")
    assert (user.role, user.unit.code, user.unit.level) == (Role.DISTRICT_OFFICER, "271", UnitLevel.DISTRICT)
    assert user.check_password("x-Secret-2025")
    assert not user.is_staff


def test_a_commune_code_means_the_unit_in_force_today_unless_a_structure_is_asked(admin_units):
    call_command("create_user", "new", "--role", "commune_officer", "--unit", "00004", "--password", "x-Secret-2025")
    call_command(
        "create_user",
        "old",
        "--role",
        "commune_officer",
        "--unit",
        "00004",
        "--structure",
        "2008",
        "--password",
        "x-Secret-2025",
    )
    assert User.objects.get(username="new").unit.structure == Structure.REFORM_2025
    assert User.objects.get(username="old").unit.structure == Structure.LEGACY


def test_administrators_are_staff_and_superusers_of_the_city(admin_units):
    call_command("create_user", "root", "--role", "administrator", "--unit", "01", "--password", "x-Secret-2025")
    user = User.objects.get(username="root")
    assert user.is_staff and user.is_superuser and user.unit.level == UnitLevel.CITY


@pytest.mark.parametrize(
    ("role", "code", "message"),
    [
        ("commune_officer", "271", "cần một xã/phường"),
        ("city_leader", "271", "cần đơn vị thành phố"),
        ("district_officer", "01", "cần một quận/huyện"),
        ("administrator", "09625", "cần đơn vị thành phố"),
    ],
)
def test_a_role_that_does_not_fit_the_unit_level_is_refused(admin_units, role, code, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "x", "--role", role, "--unit", code, "--password", "x-Secret-2025")
    assert not User.objects.exists()


def test_unknown_codes_and_duplicate_usernames_are_refused(admin_units):
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("create_user", "x", "--role", "district_officer", "--unit", "999", "--password", "x-Secret-2025")
    call_command("create_user", "x", "--role", "city_leader", "--unit", "01", "--password", "x-Secret-2025")
    with pytest.raises(CommandError, match="đã có"):
        call_command("create_user", "X", "--role", "city_leader", "--unit", "01", "--password", "x-Secret-2025")


def test_the_password_is_prompted_when_not_given(admin_units, monkeypatch):
    answers = iter(["x-Secret-2025", "x-Secret-2025"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_user", "asked", "--role", "city_leader", "--unit", "01")
    assert User.objects.get(username="asked").check_password("x-Secret-2025")


def test_a_weak_password_is_refused(admin_units):
    with pytest.raises(CommandError):
        call_command("create_user", "weak", "--role", "city_leader", "--unit", "01", "--password", "123")


def test_demo_users_are_created_once(admin_units, capsys):
    from demo import DEMO_USERS

    call_command("create_demo_users")
    call_command("create_demo_users")
    assert User.objects.count() == len(DEMO_USERS) == 6
    printed = capsys.readouterr().out
    assert "huyen.bavi" in printed and "bavi-demo-2025" in printed
    district_officer = User.objects.get(username="huyen.bavi")
    commune_officer = User.objects.get(username="xa.phucuong")
    assert commune_officer.unit.parent == district_officer.unit
    # Today's structure: the officer of Xã Cổ Đô (2025) and the city department that approves.
    assert "xa.codo" in printed and "so.nnmt" in printed and "từ 1/7/2025" in printed
    assert User.objects.get(username="so.nnmt").role == Role.CITY_OFFICER
    assert User.objects.get(username="xa.codo").unit.structure == Structure.REFORM_2025


def test_login_page_is_vietnamese_and_logs_in(client, admin_units):
    accounts.create_user(
        username="an", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"), password="x-Secret-2025"
    )
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Đăng nhập" in page.content.decode()
    response = client.post(reverse("login"), {"username": "an", "password": "x-Secret-2025"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_login_is_throttled_after_five_failures_even_with_the_right_password(client, admin_units):
    accounts.create_user(
        username="an", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"), password="x-Secret-2025"
    )
    for _ in range(accounts.LOGIN_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "an", "password": "wrong"})
        assert response.status_code == 200
    assert "quá nhiều lần" in response.content.decode()
    response = client.post(reverse("login"), {"username": "an", "password": "x-Secret-2025"})
    assert response.status_code == 200 and "quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not blocked for this username.
    response = client.post(reverse("login"), {"username": "an", "password": "x-Secret-2025"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_the_admin_login_is_throttled_too(client, admin_units):
    for _ in range(accounts.LOGIN_FAILURE_LIMIT + 1):
        response = client.post("/admin/login/", {"username": "root", "password": "wrong"})
    assert "quá nhiều lần" in response.content.decode()


def test_logout_is_a_post_and_password_change_works(client, admin_units):
    user = accounts.create_user(
        username="an", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"), password="x-Secret-2025"
    )
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Đổi mật khẩu" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": "x-Secret-2025", "new_password1": "Another-Secret-77", "new_password2": "Another-Secret-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Secret-77")
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "unit_code", "landing"),
    [
        (Role.COMMUNE_OFFICER, "09625", "households:list"),
        (Role.DISTRICT_OFFICER, "271", "households:list"),
        (Role.CITY_LEADER, "01", "reports:city"),
        (Role.ADMINISTRATOR, "01", "reports:city"),
    ],
)
def test_each_role_lands_on_its_own_first_page(client, admin_units, role, unit_code, landing):
    from households.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.filter(code=unit_code).order_by("structure").first()
    client.force_login(User.objects.create_user(f"u-{role}", role=role, unit=unit))
    assert client.get("/").url == reverse(landing)


def test_strangers_are_sent_to_the_login_page(client):
    assert client.get("/").url.startswith(reverse("login"))


@pytest.mark.parametrize(("role", "offered"), [(Role.CITY_LEADER, False), (Role.DISTRICT_OFFICER, True)])
def test_the_menu_offers_the_upload_page_only_to_those_who_may_write(client, admin_units, role, offered):
    from households.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.get(code="01" if role == Role.CITY_LEADER else "271")
    client.force_login(User.objects.create_user("u", role=role, unit=unit))
    menu = [item["url"] for item in client.get(reverse("households:list")).context["nav_items"]]
    assert (reverse("households:import") in menu) is offered
    assert reverse("households:list") in menu


def test_failures_on_other_names_from_the_same_address_never_lock_out_a_right_password(client, admin_units):
    accounts.create_user(
        username="quantri", role=Role.ADMINISTRATOR, unit=accounts.resolve_unit("01"), password="x-Secret-2025"
    )
    for number in range(40):
        client.post(reverse("login"), {"username": f"khach{number}", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "quantri", "password": "x-Secret-2025"})
    assert response.status_code == 302


def test_an_operator_lifts_a_lock_with_unlock_login(client, admin_units):
    from django.core.management import call_command

    accounts.create_user(
        username="an", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"), password="x-Secret-2025"
    )
    for _ in range(accounts.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "an", "password": "wrong"})
    assert accounts.login_blocked("an", "127.0.0.1")
    call_command("unlock_login", "an", "127.0.0.1", stdout=io.StringIO())
    assert client.post(reverse("login"), {"username": "an", "password": "x-Secret-2025"}).status_code == 302


def test_there_is_no_password_reset_by_mail(client):
    assert client.get("/accounts/password_reset/").status_code == 404


def test_behind_the_trusted_proxy_the_throttle_counts_the_address_the_proxy_saw(client, admin_units, settings):
    settings.TRUSTED_PROXY_HEADER = True
    accounts.create_user(
        username="an", role=Role.CITY_LEADER, unit=accounts.resolve_unit("01"), password="x-Secret-2025"
    )
    for _ in range(accounts.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "an", "password": "wrong"}, HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.7")
    # Another officer behind the same proxy (REMOTE_ADDR 127.0.0.1 for everyone) is not locked out.
    response = client.post(
        reverse("login"), {"username": "an", "password": "x-Secret-2025"}, HTTP_X_FORWARDED_FOR="10.0.0.8"
    )
    assert response.status_code == 302
    assert accounts.login_blocked("an", "10.0.0.7") and not accounts.login_blocked("an", "10.0.0.8")


def test_names_read_in_vietnamese_order_in_the_menu(client, admin_units):
    user = accounts.create_user(
        username="xa.phucuong2",
        role=Role.COMMUNE_OFFICER,
        unit=accounts.resolve_unit("09625", structure=2008),
        password="x-Secret-2025",
        last_name="Cán bộ Xã Phú",
        first_name="Cường",
    )
    assert user.get_full_name() == "Cán bộ Xã Phú Cường" == accounts.display_name(user)
    client.force_login(user)
    assert "Cán bộ Xã Phú Cường" in client.get(reverse("households:list")).content.decode()
