"""Hardening: input no person types is refused with a 400, never a 500."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/wishes/wish/?status__exact=%00",
        "/wishes/?q=%00",
        "/wishes/?category=1%00",
        "/staff/wishes/?q=a%00b",
        "/wishes/%00/",
    ],
)
def test_a_nul_byte_anywhere_is_a_bad_request(login, superuser, path):
    client = login(superuser)
    client.raise_request_exception = False
    assert client.get(path).status_code in (400, 404)


def test_a_nul_byte_in_a_form_is_a_bad_request_and_saves_nothing(login, resident):
    from tests.factories import CategoryFactory

    category = CategoryFactory()
    from wishes.models import Wish

    client = login(resident)
    client.raise_request_exception = False
    response = client.post(reverse("wishes:new"), {"title": "大米\x00", "category": category.pk})
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
    assert not Wish.objects.exists()


@override_settings(DEBUG=False, ALLOWED_HOSTS=["wish.example.org"])
def test_a_wrong_host_header_is_a_bad_request_not_a_server_error():
    client = Client(raise_request_exception=False)
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def run_check(env: dict) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_no_environment_the_app_does_not_start():
    result = run_check({})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_secret_key_without_hosts_is_not_enough():
    result = run_check({"SECRET_KEY": "k" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


PRODUCTION = {
    "SECRET_KEY": "k" * 40 + "-Zq9!x" * 5,
    "ALLOWED_HOSTS": "wish.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_production_settings_leave_a_reviewer_nothing_to_warn_about():
    result = run_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_cache_per_process_is_a_warning_in_production():
    """Cached pages stay fresh by version numbers every worker must see (wishes/versions.py)."""
    result = run_check({**PRODUCTION, "REDIS_URL": ""})
    assert result.returncode != 0
    assert "microwish.W001" in result.stdout + result.stderr


def test_who_is_asking_is_never_kept_in_a_cache_per_process_in_production():
    """Every worker must see the numbers that move a kept identity on (a role taken away)."""
    result = run_check({**PRODUCTION, "REDIS_URL": "", "IDENTITY_KEPT": "1"})
    assert result.returncode != 0
    assert "microwish.E001" in result.stdout + result.stderr
    # Off with the cache it needs: nothing to say.
    assert "microwish.E001" not in run_check({**PRODUCTION, "REDIS_URL": ""}).stderr


@pytest.mark.parametrize("path", ["/", "/wishes/", "/accounts/login/", "/admin/login/"])
def test_every_page_sends_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", csp)
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_one_inline_style_carries_the_pages_nonce(client):
    response = client.get("/")
    nonce = re.search(r"'nonce-([\w-]+)'", response["Content-Security-Policy"])[1]
    assert f'<style nonce="{nonce}">' in response.content.decode()
