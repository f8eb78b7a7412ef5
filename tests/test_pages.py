"""The list and a wish's page are kept whole per reader (wishes/pages.py): read again they cost
no query beyond the reader's own, and they are never stale, never another person's, and never
carry an old CSRF token or CSP nonce."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffRole
from audit.models import AuditEntry
from config import holes
from notices.models import Notice
from tests.factories import ResidentFactory, WishFactory, make_volunteer
from wishes import pages

pytestmark = pytest.mark.django_db

LIST = reverse("wishes:list")


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def queries(client, path: str):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response, [query["sql"] for query in captured.captured_queries]


def detail(wish) -> str:
    return reverse("wishes:detail", args=[wish.pk])


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.fixture
def wish(community):
    return WishFactory(community=community, approved=True, title="一袋大米")


def test_a_second_look_costs_only_the_readers_own_query(volunteer, wish):
    client = signed_in(volunteer)
    for path in (LIST, detail(wish)):
        queries(client, path)
        second, sql = queries(client, path)
        # The user with every fact about them (accounts/identity.py); nothing of the page.
        assert len(sql) <= 2, sql
        assert not any("wishes_wish" in query for query in sql), sql
        assert "一袋大米" in second.text
        assert holes.CSRF_HOLE not in second.text and holes.NONCE_HOLE not in second.text


def test_every_response_has_its_own_nonce_and_a_token_that_works(volunteer, wish):
    client = signed_in(volunteer, enforce_csrf_checks=True)
    path = detail(wish)
    first, second = client.get(path), client.get(path)
    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        assert f'nonce="{nonce_of(response)}"' in response.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second.text).group(1)
    claimed = client.post(reverse("wishes:claim", args=[wish.pk]), {"csrfmiddlewaretoken": token})
    assert claimed.status_code == 302
    wish.refresh_from_db()
    assert wish.status == "claimed"


def test_the_token_put_in_a_kept_page_is_masked_as_django_masks_it():
    from collections import Counter

    from django.middleware.csrf import (
        CSRF_ALLOWED_CHARS,
        _get_new_csrf_string,
        _unmask_cipher_token,
    )

    secret = _get_new_csrf_string()
    tokens = [holes.masked(secret) for _ in range(500)]
    assert all(len(t) == 64 and set(t) <= set(CSRF_ALLOWED_CHARS) for t in tokens)
    assert {_unmask_cipher_token(t) for t in tokens} == {secret}
    assert len(set(tokens)) == 500
    # Every character of the alphabet drawn for the masks, none far more often than another.
    drawn = Counter("".join(t[:32] for t in tokens))
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)
    assert max(drawn.values()) < 2 * min(drawn.values())


def test_the_token_renews_the_cookie_as_get_token_does_and_a_first_visit_gets_one():
    from django.middleware.csrf import _get_new_csrf_string, _unmask_cipher_token

    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = _get_new_csrf_string()
    assert _unmask_cipher_token(holes.csrf_token(request)) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    first_visit = RequestFactory().get("/")
    token = holes.csrf_token(first_visit)
    assert _unmask_cipher_token(token) == first_visit.META["CSRF_COOKIE"]


def test_a_page_kept_for_one_reader_is_never_served_to_another(wish, community):
    first = make_volunteer(community, username="first", real_name="王一")
    second = make_volunteer(community, username="second", real_name="李二")
    assert "王一" in signed_in(first).get(LIST).text
    page = signed_in(second).get(LIST).text
    assert "李二" in page and "王一" not in page


def test_a_claim_by_someone_else_shows_at_once(volunteer, claimer, wish):
    client = signed_in(volunteer)
    assert "一袋大米" in client.get(LIST).text
    before = client.get(detail(wish)).text
    wish.claim(by=claimer)
    assert "一袋大米" not in client.get(LIST).text
    assert client.get(detail(wish)).text != before


def test_a_new_notice_shows_in_the_menu_at_once(volunteer, wish):
    client = signed_in(volunteer)
    assert "条新通知" not in client.get(LIST).text
    Notice.objects.create(user=volunteer, kind="claimed")
    assert "1 条新通知" in client.get(LIST).text


def test_a_role_taken_away_leaves_the_menu_at_once(staff, wish):
    client = signed_in(staff)
    assert "社区工作台" in client.get(LIST).text
    StaffRole.objects.filter(user=staff).delete()
    assert "社区工作台" not in client.get(LIST).text


def with_message(client, text: str) -> None:
    """A one-off message waiting for the next page, as a view that redirects leaves it."""
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies[storage.cookie_name] = storage._encode([Message(messages.SUCCESS, text)])


def test_a_message_waiting_is_shown_once_and_its_page_not_kept(volunteer, wish):
    client = signed_in(volunteer)
    client.get(LIST)  # kept
    with_message(client, "已经为您保存。")
    assert "已经为您保存。" in client.get(LIST).text
    assert "已经为您保存。" not in client.get(LIST).text


def test_each_language_has_its_own_page(volunteer, wish):
    client = signed_in(volunteer)
    assert "心愿清单" in client.get(LIST).text
    assert "Wish list" in client.get(LIST, headers={"accept-language": "en"}).text
    assert "Wish list" not in client.get(LIST).text


def test_who_sees_contact_details_is_recorded_on_every_look(claimer, wish, monkeypatch):
    # Repeated looks within some minutes are one entry: here every look is its own.
    monkeypatch.setattr("audit.records.SAME_LOOK_MINUTES", 0)
    wish.claim(by=claimer)
    client = signed_in(claimer)
    looks = AuditEntry.objects.filter(actor=claimer, action=AuditEntry.Action.CONTACT_VIEWED)
    for count in (1, 2, 3):
        client.get(detail(wish))
        assert looks.count() == count


def test_a_residents_new_name_shows_at_once_on_the_wish(volunteer, community):
    resident = ResidentFactory(community=community, name="张阿姨")
    wish = WishFactory(community=community, resident=resident, approved=True, public_consent=True)
    client = signed_in(volunteer)
    before = client.get(detail(wish)).text
    resident.name = "赵奶奶"
    resident.save()
    assert client.get(detail(wish)).text != before


def test_someone_signed_out_gets_a_page_too(wish):
    client = Client(enforce_csrf_checks=True)
    first = client.get(LIST)
    second = client.get(LIST)
    assert first.status_code == second.status_code == 200
    assert "一袋大米" in second.text
    assert nonce_of(first) != nonce_of(second)


def test_the_menu_kept_in_the_cache_signs_out_with_this_sessions_token(volunteer, wish):
    """The menu is kept per reader (templates/base.html): its sign-out form still carries a
    token that this session's cookie accepts, on a phone and a desktop alike."""
    phone = signed_in(volunteer, enforce_csrf_checks=True)
    desktop = signed_in(volunteer, enforce_csrf_checks=True)
    phone.get(reverse("wishes:claims"))  # renders the menu and keeps it
    page = desktop.get(reverse("wishes:claims")).text  # the menu from the cache
    logout = re.search(r'action="/accounts/logout/">\s*<input[^>]+value="([^"]+)"', page)
    response = desktop.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": logout.group(1)})
    assert response.status_code == 302
    assert "_auth_user_id" not in desktop.session


def test_no_placeholder_ever_reaches_a_reader(volunteer, staff, wish):
    for user, path in [
        (volunteer, LIST),
        (volunteer, detail(wish)),
        (volunteer, reverse("wishes:claims")),
        (staff, reverse("staff:index")),
        (staff, detail(wish)),
    ]:
        client = signed_in(user)
        for _ in range(2):
            page = client.get(path).text
            assert holes.CSRF_HOLE not in page and holes.NONCE_HOLE not in page


def test_home_is_kept_and_shows_a_new_claim_and_new_totals_at_once(volunteer, claimer, wish):
    client = signed_in(volunteer)
    client.get("/")
    _page, sql = queries(client, "/")
    assert not any("wishes_wish" in query for query in sql), sql
    wish.claim(by=volunteer)
    page = client.get("/").text
    assert "一袋大米" in page  # now among the claims due
    staff_page = signed_in(claimer).get("/").text
    WishFactory(community=wish.community, approved=True, title="一桶油")
    assert client.get("/").text != page
    assert signed_in(claimer).get("/").text != staff_page


def test_a_lost_race_is_told_from_the_cache_on_the_next_wish_with_its_own_address(
    volunteer, claimer, community
):
    first = WishFactory(community=community, approved=True, title="一袋大米")
    second = WishFactory(community=community, approved=True, title="一桶油")
    for wish in (first, second):
        wish.claim(by=claimer)
    client = signed_in(volunteer)
    lost = client.post(reverse("wishes:claim", args=[first.pk]))
    assert lost.status_code == 409
    assert "wishes/refused.html" in [t.name for t in lost.templates]
    again = client.post(reverse("wishes:claim", args=[second.pk]))
    assert again.status_code == 409 and again.templates == []  # from the cache, not rendered
    assert f'href="{detail(second)}"' in again.text
    assert f'href="{detail(first)}"' not in again.text
    # Nor anywhere else: the language switch comes back to this wish, not the first one's
    # claim (a POST-only address).
    assert reverse("wishes:claim", args=[first.pk]) not in again.text
    assert f'name="next" value="{detail(second)}"' in again.text
    assert "volunteer" in again.text or volunteer.real_name in again.text
    for page in (lost.text, again.text):
        assert "hole" not in page.replace("placeholder", "")
    # This response's own nonce, in its header and its page.
    assert nonce_of(again) in again.text and nonce_of(again) != nonce_of(lost)


def test_a_lost_race_is_told_from_this_process_without_asking_the_cache(
    volunteer, claimer, community, monkeypatch
):
    from django.core.cache import caches

    wish = WishFactory(community=community, approved=True)
    wish.claim(by=claimer)
    assert told_409(volunteer, wish).templates != []
    backend = caches["default"]
    asked = []
    real_get = backend.get

    def get(key, *args, **kwargs):
        asked.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", get)
    again = told_409(volunteer, wish)
    assert again.templates == []
    assert not [key for key in asked if key.startswith(pages.PREFIX)]
    # Another process (nothing kept here) finds it in the shared cache, and keeps it too.
    pages.LOCAL.clear()
    assert told_409(volunteer, wish).templates == []
    assert [key for key in asked if key.startswith(pages.PREFIX)]
    assert len(pages.LOCAL) == 1


def test_pages_kept_here_are_few_and_not_kept_past_their_time(monkeypatch):
    monkeypatch.setattr(pages, "LOCAL_PAGES", 2)
    for n in range(3):
        pages._keep_here(f"page:{n}", (409, b"", {}))
    assert list(pages.LOCAL) == ["page:1", "page:2"]
    assert pages._kept_here("page:2") == (409, b"", {})
    pages.LOCAL["page:2"] = (time.monotonic() - 1, (409, b"", {}))  # its time is up
    assert pages._kept_here("page:2") is None
    assert "page:2" not in pages.LOCAL


def told_409(user, wish, client=None):
    client = client or signed_in(user)
    page = client.post(reverse("wishes:claim", args=[wish.pk]))
    assert page.status_code == 409
    return page


def unread(user, n: int) -> None:
    for _ in range(n):
        Notice.objects.create(user=user, kind="claimed")


def comparable(page) -> str:
    """The page without what is new in every response (token, nonce)."""
    text = page.text.replace(nonce_of(page), "NONCE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", text)


def test_a_lost_race_is_kept_per_menu_and_each_reader_sees_only_their_own(claimer, community):
    wish = WishFactory(community=community, approved=True)
    wish.claim(by=claimer)
    first = make_volunteer(community, username="first", real_name="王一")
    second = make_volunteer(community, username="second", real_name="李<b>二</b>")
    unread(first, 3)
    unread(second, 5)
    one = told_409(first, wish)
    assert "wishes/refused.html" in [t.name for t in one.templates]
    assert "王一" in one.text and ">3<" in one.text.replace(" ", "")
    page = told_409(second, wish)
    assert page.templates == []  # the same menu: from the cache
    assert "李&lt;b&gt;二&lt;/b&gt;" in page.text and "<b>二" not in page.text
    assert "5 条新通知" in page.text
    for theirs in ("王一", "first", "3 条新通知", str(first.phone)):
        assert theirs not in page.text
    assert "hole" not in page.text.replace("placeholder", "")
    # Exactly what the second reader would have been shown had nothing been kept.
    from django.core.cache import cache

    cache.clear()
    pages.LOCAL.clear()
    fresh = told_409(second, wish)
    assert fresh.templates != []
    assert comparable(fresh) == comparable(page)


def test_a_lost_race_is_not_served_across_menus(claimer, community, staff):
    wish = WishFactory(community=community, approved=True)
    wish.claim(by=claimer)
    volunteers = [make_volunteer(community, username=f"v{n}") for n in range(3)]
    unread(volunteers[1], 1)  # "1 new notification", not "notifications"
    unread(volunteers[2], 2)
    for volunteer in volunteers:
        assert told_409(volunteer, wish).templates != []  # none, one, more: three menus
    unread(volunteers[0], 7)
    assert told_409(volunteers[0], wish).templates == []  # "more", as the third
    StaffRole.objects.create(
        user=volunteers[2], role=StaffRole.Role.COMMUNITY_STAFF, community=community
    )
    page = told_409(volunteers[2], wish)
    assert page.templates != []  # staff have another menu
    assert reverse("staff:index") in page.text
