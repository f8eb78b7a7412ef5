"""Two-factor sign-in (accounts/two_factor.py): an authenticator app's code after the password,
backup codes when the phone is away, required for staff and the admin when production asks."""

import datetime
import re

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")
PROFILE = reverse("accounts:profile")
MINE = reverse("wishes:mine")
STAFF = reverse("staff:index")


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=drift):06d}"


def password_login(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.new_authenticator(user)
    codes = two_factor.confirm_authenticator(device)
    return device, codes


def test_someone_with_an_authenticator_is_held_at_the_code_page_after_the_password(
    client, resident
):
    device, _codes = enrolled(resident)
    password_login(client, resident, next_url=MINE)
    # Signed in with the password, but every page leads to the code.
    for path in (MINE, PROFILE, reverse("wishes:new"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": code_for(device), "next": MINE})
    assert response.status_code == 302 and response["Location"] == MINE
    assert client.get(MINE).status_code == 200


def test_a_wrong_code_says_so_and_the_shared_throttle_pauses_guessing(client, resident, settings):
    device, _codes = enrolled(resident)
    password_login(client, resident)
    right = code_for(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "验证码不对" in response.content.decode()
    # Straight away, django-otp's own pause answers first.
    assert "稍等几秒" in client.post(VERIFY, {"code": right}).content.decode()
    start = timezone.now()
    for minute in range(1, settings.LOGIN_FAILURE_LIMIT):
        with time_machine.travel(start + datetime.timedelta(minutes=minute), tick=False):
            client.post(VERIFY, {"code": wrong})
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        response = client.post(VERIFY, {"code": code_for(device)})
        assert "请15分钟后再试" in response.content.decode()
        assert client.get(MINE).status_code == 302


def test_a_backup_code_works_once(client, resident):
    _device, codes = enrolled(resident)
    password_login(client, resident)
    response = client.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert "还剩9个" in response.content.decode()
    assert client.get(MINE).status_code == 200

    other = client.__class__()
    password_login(other, resident)
    response = other.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200 and "验证码不对" in response.content.decode()


def test_setting_up_shows_a_qr_code_and_the_key_then_backup_codes_once(client, volunteer):
    client.force_login(volunteer)
    page = client.get(SETUP).content.decode()
    assert 'src="data:image/png;base64,' in page
    device = TOTPDevice.objects.get(user=volunteer, confirmed=False)
    assert two_factor.secret_for_typing(device) in page

    response = client.post(SETUP, {"code": "12"})
    assert "验证码不对" in response.content.decode()
    assert not two_factor.has_authenticator(volunteer)
    response = client.post(SETUP, {"code": code_for(device)})
    assert "稍等几秒" in response.content.decode()  # django-otp's pause after a wrong code

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3), tick=False):
        response = client.post(SETUP, {"code": code_for(device)})
        page = response.content.decode()
    assert response.status_code == 200 and "请保存好这些备用码" in page
    codes = list(StaticToken.objects.filter(device__user=volunteer).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in page for code in codes)
    assert "no-store" in response["Cache-Control"]
    assert two_factor.has_authenticator(volunteer)
    # The session that set it up counts as verified.
    assert client.get(MINE).status_code == 200


def test_a_password_alone_cannot_set_up_a_new_authenticator(client, resident):
    enrolled(resident)
    password_login(client, resident)
    response = client.get(SETUP)
    assert response["Location"].startswith(VERIFY)


def test_new_backup_codes_replace_the_old_ones(client, resident):
    _device, old = enrolled(resident)
    client.force_login(resident)
    session = client.session
    session["otp_device_id"] = _device.persistent_id
    session.save()
    response = client.post(reverse("accounts:two_factor_codes"))
    assert response.status_code == 200
    new = set(StaticToken.objects.filter(device__user=resident).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)


def test_turning_it_off_asks_for_the_password(client, resident):
    device, _codes = enrolled(resident)
    password_login(client, resident)
    client.post(VERIFY, {"code": code_for(device)})
    response = client.post(reverse("accounts:two_factor_off"), {"password": "wrong"})
    assert "密码不对" in response.content.decode()
    assert two_factor.has_authenticator(resident)
    client.post(reverse("accounts:two_factor_off"), {"password": PASSWORD})
    assert not two_factor.has_authenticator(resident)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_when_required_staff_must_set_it_up_before_any_page(client, staff):
    response = password_login(client, staff)
    response = client.get(STAFF)
    assert response["Location"].startswith(SETUP)
    assert client.get("/admin/")["Location"].startswith(SETUP)
    page = client.get(SETUP).content.decode()
    assert "必须开启两步验证" in page
    device = TOTPDevice.objects.get(user=staff)
    client.post(SETUP, {"code": code_for(device)})
    assert client.get(STAFF).status_code == 200
    # Staff cannot turn it off.
    client.post(reverse("accounts:two_factor_off"), {"password": PASSWORD})
    assert two_factor.has_authenticator(staff)


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_the_admin_login_leads_to_the_code_too(client, superuser):
    device, _codes = enrolled(superuser)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": superuser.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get("/admin/")
    assert response["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_residents_and_volunteers_are_never_forced(client, resident, volunteer):
    for user in (resident, volunteer):
        client.force_login(user)
        assert client.get(MINE).status_code == 200


def test_off_by_default_in_development(settings):
    assert settings.TWO_FACTOR_REQUIRED is False


def test_required_by_default_in_production():
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.TWO_FACTOR_REQUIRED)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


def test_the_profile_says_whether_it_is_on(client, resident):
    client.force_login(resident)
    page = client.get(PROFILE).content.decode()
    assert "开启两步验证" in page
    enrolled(resident)
    client.force_login(resident)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=resident).persistent_id
    session.save()
    page = client.get(PROFILE).content.decode()
    assert re.search(r"已开启", page) and "还剩10个备用码" in page
