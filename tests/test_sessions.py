"""How long a sign-in lasts (accounts/sessions.py): staff 2 hours idle, residents and
volunteers 3 days idle, everyone 7 days at most; a fresh key at login; a password change ends
the other sessions; cookies HttpOnly and SameSite."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = reverse("wishes:home")
MINE = reverse("wishes:mine")
STAFF = reverse("staff:index")


def signed_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def later(**delta):
    return time_machine.travel(timezone.now() + datetime.timedelta(**delta), tick=False)


def test_staff_are_signed_out_after_two_idle_hours(client, staff):
    signed_in(client, staff)
    with later(hours=1, minutes=50):
        assert client.get(STAFF).status_code == 200  # used: the idle clock starts again
    with later(hours=3, minutes=40):
        assert client.get(STAFF).status_code == 200
    with later(hours=5, minutes=50):
        response = client.get(STAFF, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "为了安全已自动退出" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_residents_on_their_phones_stay_signed_in_for_days(client, resident):
    signed_in(client, resident)
    with later(hours=20):
        assert client.get(MINE).status_code == 200
    with later(days=3, hours=22):
        assert client.get(MINE).status_code == 302  # more than 3 idle days since the last use


def test_nobody_stays_signed_in_longer_than_seven_days(client, resident):
    signed_in(client, resident)
    for day in range(1, 7):
        with later(days=day):
            assert client.get(MINE).status_code == 200
    with later(days=7, hours=1):
        response = client.get(MINE, follow=True)
    assert "登录已超过7天" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_in_gives_a_fresh_session_key(client, resident):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    signed_in(client, resident)
    assert client.session.session_key != before


def test_changing_the_password_ends_the_other_sessions(resident):
    phone, desk = signed_in(Client(), resident), signed_in(Client(), resident)
    response = phone.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Xiangyang-2026!",
            "new_password2": "Xiangyang-2026!",
        },
    )
    assert response.status_code == 302
    assert phone.get(MINE).status_code == 200  # the one that changed it stays in
    assert desk.get(MINE).status_code == 302  # every other one is out


def test_the_session_cookie_is_httponly_and_samesite(client, resident):
    response = client.post(
        reverse("accounts:login"), {"username": resident.username, "password": PASSWORD}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) <= 7 * 24 * 3600
