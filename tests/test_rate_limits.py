"""Rate limits (config/ratelimit.py): too many POSTs an hour from one user or one address get a
429 with a plain message, and nothing is saved; staff are not limited."""

import pytest
from django.urls import reverse

from config.ratelimit import client_address
from wishes.models import Wish

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "wish": {"urls": ["wishes:new"], "per_user": 2, "per_address": 100},
        "register": {"urls": ["accounts:register"], "per_address": 2},
        "event": {"urls": ["wishes:event_code"], "per_user": 3, "per_address": 100},
        "upload": {"per_user": 1000, "per_address": 1000},
    }
    return settings


def test_a_resident_submitting_too_often_is_told_to_wait(tight, login, resident, caplog):
    client = login(resident)
    for _ in range(2):
        assert client.post(reverse("wishes:new"), {}).status_code != 429
    before = Wish.objects.count()
    with caplog.at_level("INFO", logger="microwish.security"):
        response = client.post(reverse("wishes:new"), {"title": "x"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "您操作得太频繁了" in page and "分钟后再试" in page
    assert int(response["Retry-After"]) > 0
    assert Wish.objects.count() == before
    assert any('"rate_limited"' in record.getMessage() for record in caplog.records)


def test_the_message_is_in_the_readers_language(tight, login, resident):
    client = login(resident)
    client.cookies["django_language"] = "en"
    for _ in range(3):
        response = client.post(reverse("wishes:new"), {})
    assert response.status_code == 429
    assert "too often" in response.content.decode()


def test_registration_is_limited_per_address(tight, client):
    for _ in range(2):
        assert client.post(reverse("accounts:register"), {}).status_code == 200
    assert client.post(reverse("accounts:register"), {}).status_code == 429
    other = client.__class__(REMOTE_ADDR="10.0.0.9")
    assert other.post(reverse("accounts:register"), {}).status_code == 200


def test_guessing_event_codes_is_limited(tight, login, volunteer):
    client = login(volunteer)
    codes = [client.post(reverse("wishes:event_code"), {"code": f"X{n}"}) for n in range(4)]
    assert [r.status_code for r in codes][-1] == 429


def test_staff_are_not_limited(tight, login, staff):
    client = login(staff)
    assert all(
        client.post(reverse("wishes:event_code"), {"code": "nope"}).status_code != 429
        for _ in range(6)
    )


def test_reading_pages_is_never_limited(tight, login, resident):
    client = login(resident)
    assert all(client.get(reverse("wishes:new")).status_code == 200 for _ in range(6))


def test_the_client_address_behind_a_proxy(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1", REMOTE_ADDR="10.0.0.2")
    settings.PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    assert client_address(request) == "10.0.0.1"
    settings.PROXY_COUNT = 2
    assert client_address(request) == "1.2.3.4"
    settings.PROXY_COUNT = 3  # fewer entries than proxies: not trusted
    assert client_address(request) == "10.0.0.2"


def test_uploads_count_whatever_the_page(settings, login, resident):
    settings.RATE_LIMITS = {"upload": {"per_user": 1, "per_address": 100}}
    client = login(resident)
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post():
        return client.post(
            reverse("wishes:new"), {"photos": SimpleUploadedFile("a.jpg", b"not really")}
        )

    assert post().status_code != 429
    assert post().status_code == 429


def test_the_limits_are_on_in_production_settings(settings):
    assert "config.ratelimit.RateLimitMiddleware" in settings.MIDDLEWARE
    for action in ("register", "password_reset", "phone", "wish", "claim", "event", "upload"):
        assert action in settings.RATE_LIMITS


def test_forms_without_files_do_not_count_as_uploads(settings, login, resident):
    settings.RATE_LIMITS = {"upload": {"per_user": 1, "per_address": 1}}
    client = login(resident)
    assert all(client.post(reverse("accounts:profile"), {}).status_code != 429 for _ in range(4))
