"""Logging in by username or phone, phone validation, roles' communities, and /healthz."""

from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.urls import reverse

from accounts.models import StaffRole
from accounts.validators import validate_mobile
from tests.factories import PASSWORD, CommunityFactory, UserFactory, make_staff

MOBILE_MESSAGE = "请输入11位中国大陆手机号码，例如 13812345678。"


# ----- logging in -------------------------------------------------------------------------


def test_user_can_log_in_with_their_username(client, resident):
    assert client.login(username="resident", password=PASSWORD)


def test_user_can_log_in_with_their_phone_number(client, resident):
    assert client.login(username=resident.phone, password=PASSWORD)


def test_phone_login_ignores_surrounding_spaces(resident):
    assert authenticate(username=f" {resident.phone} ", password=PASSWORD) == resident


def test_wrong_password_is_refused(client, resident):
    assert not client.login(username=resident.phone, password="wrong-pass")


def test_unknown_phone_number_is_refused(client, db):
    assert not client.login(username="13800000000", password=PASSWORD)


def test_inactive_user_cannot_log_in_by_phone(client, db):
    user = UserFactory(is_active=False)
    assert not client.login(username=user.phone, password=PASSWORD)


def test_username_wins_over_someone_elses_identical_phone_number(db):
    by_name = UserFactory(username="13912340000", phone="13700000001")
    UserFactory(phone="13912340000")
    assert authenticate(username="13912340000", password=PASSWORD) == by_name


def test_login_page_accepts_a_phone_number(client, resident):
    response = client.post(
        reverse("accounts:login"), {"username": resident.phone, "password": PASSWORD}
    )
    assert (response.status_code, response.url) == (302, "/")
    assert int(client.session["_auth_user_id"]) == resident.pk


# ----- phone numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["12812345678", "1381234567", "138123456789", "23812345678", "1381234567a", "+8613812345678"],
)
def test_invalid_mobile_number_is_rejected_in_chinese(phone):
    with pytest.raises(ValidationError) as error:
        validate_mobile(phone)
    assert error.value.messages == [MOBILE_MESSAGE]


@pytest.mark.parametrize("phone", ["13812345678", "19912345678", "15000000000"])
def test_valid_mobile_number_passes(phone):
    assert validate_mobile(phone) is None


def test_user_form_validation_rejects_a_bad_phone_number(db):
    user = UserFactory.build(phone="12345")
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert error.value.message_dict["phone"] == [MOBILE_MESSAGE]


def test_blank_phone_is_stored_as_null_so_many_users_can_have_none(db):
    first, second = UserFactory(phone=""), UserFactory(phone="")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.phone, second.phone) == (None, None)


# ----- /healthz ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_json_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch("config.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@pytest.mark.django_db
def test_healthz_is_never_cached(client):
    response = client.get(reverse("healthz"))
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405


# ----- managed communities ----------------------------------------------------------------


@pytest.fixture
def neighbour_community(street):
    return CommunityFactory(street=street, name="明珠社区")


def test_staff_manages_their_own_community(staff, community, neighbour_community):
    assert list(staff.managed_communities()) == [community]


def test_street_admin_manages_every_community_of_their_street(
    street_admin, community, neighbour_community, other_community
):
    assert set(street_admin.managed_communities()) == {community, neighbour_community}


def test_superuser_manages_every_community(superuser, community, other_community):
    assert set(superuser.managed_communities()) == {community, other_community}


def test_inactive_staff_manages_no_community(community):
    former = make_staff(community, is_active=False)
    assert not former.managed_communities().exists()


def test_volunteer_manages_no_community(volunteer):
    assert not volunteer.managed_communities().exists()


def test_staff_with_two_roles_in_one_community_gets_it_once(staff, community):
    staff.staff_roles.create(role=StaffRole.Role.GRID_WORKER, community=community)
    assert list(staff.managed_communities()) == [community]


def test_robots_txt_keeps_search_engines_to_the_public_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "Disallow: /admin/" in lines and "Disallow: /accounts/" in lines
    assert not [line for line in lines if line.startswith("Disallow: /wishes")]
