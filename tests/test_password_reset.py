"""忘记密码: a code by SMS to the account's own phone, or a temporary password from staff; the
same answer whether or not the number has an account; every reset logged."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FORGOT = reverse("accounts:password_reset")
CODE = reverse("accounts:password_reset_code")
LOGIN = reverse("accounts:login")
NEW = "Rice-and-oil-2026"


def sent_code(outbox) -> str:
    return re.search(r"验证码是(\d{6})", outbox[-1][1])[1]


def test_a_code_by_sms_then_a_new_password(client, resident, outbox):
    response = client.post(FORGOT, {"who": resident.phone}, follow=True)
    assert response.redirect_chain[-1][0] == CODE
    assert "如果这个号码注册过微心愿" in response.content.decode()
    assert outbox[0][0] == resident.phone
    code = sent_code(outbox)
    response = client.post(CODE, {"code": code, "password1": NEW, "password2": NEW})
    assert response.status_code == 302 and response["Location"] == LOGIN
    resident.refresh_from_db()
    assert resident.check_password(NEW)
    # The code works once.
    client.post(FORGOT, {"who": resident.phone})
    response = client.post(CODE, {"code": code, "password1": NEW, "password2": NEW})
    assert "验证码不对或已过期" in response.content.decode()


def test_an_unknown_number_gets_the_same_answer_and_no_message(client, outbox):
    known = client.post(FORGOT, {"who": "13900000000"}, follow=True).content.decode()
    assert outbox == []
    assert "如果这个号码注册过微心愿" in known
    response = client.post(CODE, {"code": "123456", "password1": NEW, "password2": NEW})
    assert "验证码不对或已过期" in response.content.decode()


def test_a_wrong_code_keeps_the_password_and_what_was_typed(client, resident, outbox):
    client.post(FORGOT, {"who": resident.phone})
    right = sent_code(outbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong, "password1": NEW, "password2": NEW})
    page = response.content.decode()
    assert "验证码不对或已过期" in page and f'value="{wrong}"' in page
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_five_wrong_codes_use_the_code_up_and_pause_the_account(client, resident, outbox):
    client.post(FORGOT, {"who": resident.phone})
    right = sent_code(outbox)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(CODE, {"code": wrong, "password1": NEW, "password2": NEW})
    response = client.post(CODE, {"code": right, "password1": NEW, "password2": NEW})
    assert "验证码输错次数太多" in response.content.decode()
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_a_reset_lifts_the_login_pause_someone_else_caused(client, resident, outbox, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": resident.phone, "password": "guess"})
    assert (
        "分钟后再试"
        in client.post(LOGIN, {"username": resident.phone, "password": PASSWORD}).content.decode()
    )
    client.post(FORGOT, {"who": resident.phone})
    client.post(CODE, {"code": sent_code(outbox), "password1": NEW, "password2": NEW})
    response = client.post(LOGIN, {"username": resident.phone, "password": NEW})
    assert response.status_code == 302


def test_one_message_a_minute_at_most(client, resident, outbox):
    for _ in range(3):
        client.post(FORGOT, {"who": resident.phone})
    assert len(outbox) == 1


def test_a_weak_new_password_is_refused_in_plain_words(client, resident, outbox):
    client.post(FORGOT, {"who": resident.phone})
    code = sent_code(outbox)
    response = client.post(CODE, {"code": code, "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_the_login_page_links_to_it(client):
    assert FORGOT in client.get(LOGIN).content.decode()


# ----- by staff ----------------------------------------------------------------------------


def test_staff_set_a_temporary_password_the_resident_must_replace(login, staff, resident):
    person = resident.resident
    page = login(staff).get(reverse("staff:resident", args=[person.pk])).content.decode()
    assert "生成临时密码" in page
    response = login(staff).post(reverse("staff:resident_password", args=[person.pk]))
    temporary = re.search(r'user-select-all">(\w+)<', response.content.decode())[1]
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.PASSWORD_RESET, resident=person, actor=staff
    ).exists()

    client = Client()
    client.post(LOGIN, {"username": resident.phone, "password": temporary})
    response = client.get(reverse("wishes:mine"))
    assert response["Location"] == reverse("accounts:password_change")
    client.post(
        reverse("accounts:password_change"),
        {"old_password": temporary, "new_password1": NEW, "new_password2": NEW},
    )
    assert client.get(reverse("wishes:mine")).status_code == 200
    assert not User.objects.get(pk=resident.pk).must_change_password


def test_staff_cannot_reset_a_resident_outside_their_work(login, other_staff, resident):
    url = reverse("staff:resident_password", args=[resident.resident.pk])
    assert login(other_staff).post(url).status_code == 404
    assert User.objects.get(pk=resident.pk).check_password(PASSWORD)
