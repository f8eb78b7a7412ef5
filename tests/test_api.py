"""The JSON API (api/): tokens, the same answers as the site's pages, moves through the life
cycle with the site's refusals as problem documents, keyset pages, and Open311."""

from __future__ import annotations

import datetime
import json
import re
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, digest_of
from tests.factories import CategoryFactory, WishFactory, make_volunteer
from wishes.models import Claim, Wish

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROBLEM = "application/problem+json"


def bearer(user, scope="write", days=30) -> Client:
    _row, token = ApiToken.issue(user, name="小程序", scope=scope, days=days)
    return Client(headers={"Authorization": f"Bearer {token}"})


def ids(answer) -> list[int]:
    return [item["id"] for item in answer.json()["items"]]


# ----- tokens ------------------------------------------------------------------------------


def test_a_token_made_on_the_profile_is_shown_once_and_kept_only_as_a_digest(login, volunteer):
    client = login(volunteer)
    page = client.get(reverse("accounts:profile")).text
    assert reverse("api_tokens") in page
    answer = client.post(reverse("api_tokens"), {"name": "社区小程序", "scope": "read", "days": 90})
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    token = re.search(r'value="(mw_[^"]+)"', answer.text).group(1)
    row = ApiToken.objects.get(user=volunteer)
    assert row.digest == digest_of(token) and token not in {row.prefix, row.digest}
    assert row.scope == "read" and row.expires_at > timezone.now() + datetime.timedelta(days=89)
    assert token not in client.get(reverse("api_tokens")).text  # never again
    me = Client(headers={"Authorization": f"Bearer {token}"}).get(f"{API}/me").json()
    assert me["id"] == volunteer.pk and me["token_scope"] == "read" and "volunteer" in me["roles"]


def test_bad_token_form_keeps_what_was_typed(login, volunteer):
    answer = login(volunteer).post(reverse("api_tokens"), {"name": "", "scope": "admin"})
    assert answer.status_code == 200 and "mw_" not in answer.text
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("how", ["revoked", "expired", "inactive", "garbage", "none"])
def test_tokens_that_do_not_count_get_401_as_a_problem(volunteer, how):
    row, token = ApiToken.issue(volunteer, name="x", scope="read", days=30)
    if how == "revoked":
        row.revoked_at = timezone.now()
        row.save()
    elif how == "expired":
        ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    elif how == "inactive":
        volunteer.is_active = False
        volunteer.save()
    elif how == "garbage":
        token = "mw_" + "x" * 40
    headers = {} if how == "none" else {"Authorization": f"Bearer {token}"}
    answer = Client(headers=headers).get(f"{API}/me")
    assert answer.status_code == 401
    assert answer["Content-Type"] == PROBLEM and answer["WWW-Authenticate"] == "Bearer"
    assert answer.json()["code"] == "unauthenticated"


def test_revoking_from_the_page_stops_the_token(login, volunteer):
    row, token = ApiToken.issue(volunteer, name="x", scope="read", days=30)
    login(volunteer).post(reverse("api_token_revoke", args=[row.pk]))
    answer = Client(headers={"Authorization": f"Bearer {token}"}).get(f"{API}/me")
    assert answer.status_code == 401


def test_nobody_revokes_someone_elses_token(login, volunteer, claimer):
    row, _token = ApiToken.issue(volunteer, name="x", scope="read", days=30)
    assert login(claimer).post(reverse("api_token_revoke", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_a_read_only_token_cannot_change_anything(volunteer, staff, community):
    wish = WishFactory(community=community, approved=True, staff=staff)
    answer = bearer(volunteer, scope="read").post(
        f"{API}/wishes/{wish.pk}/claim", {}, content_type="application/json"
    )
    assert answer.status_code == 403 and answer.json()["code"] == "read_only_token"
    wish.refresh_from_db()
    assert wish.status == Wish.Status.APPROVED


def test_the_sites_session_works_with_its_csrf_check(volunteer, staff, community):
    wish = WishFactory(community=community, approved=True, staff=staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer)
    assert client.get(f"{API}/me").json()["token_scope"] is None
    refused = client.post(f"{API}/wishes/{wish.pk}/claim", {}, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token: a page elsewhere cannot post as them
    wish.refresh_from_db()
    assert wish.status == Wish.Status.APPROVED


# ----- the list, as the site shows it ---------------------------------------------------------


def html_ids(client, query="") -> set[int]:
    page = client.get(reverse("wishes:list") + query).text
    return {int(pk) for pk in re.findall(r'href="/wishes/(\d+)/"', page)}


@pytest.fixture
def listed(community, other_community, staff, other_staff):
    here = [WishFactory(community=community, approved=True, staff=staff) for _ in range(3)]
    private = WishFactory(community=community, approved=True, staff=staff, public_consent=False)
    there = WishFactory(community=other_community, approved=True, staff=other_staff)
    hidden = WishFactory(
        community=other_community, approved=True, staff=other_staff, public_consent=False
    )
    WishFactory(community=community)  # waiting for review: nobody's list
    return {"here": here, "private": private, "there": there, "hidden": hidden}


@pytest.mark.parametrize("who", [None, "volunteer", "resident", "staff", "other_staff"])
@pytest.mark.parametrize("query", ["", "?scope=all", "?scope=all&sort=due", "?sort=newest"])
def test_the_api_lists_exactly_the_wishes_the_page_lists(request, listed, who, query):
    user = request.getfixturevalue(who) if who else None
    site, app = Client(), Client()
    if user is not None:
        site.force_login(user)
        app = bearer(user, scope="read")
    answer = app.get(f"{API}/wishes{query}")
    assert answer.status_code == 200
    assert set(ids(answer)) == html_ids(site, query)


def test_keyset_pages_cover_the_list_once_in_every_order(community, staff):
    wishes = [WishFactory(community=community, approved=True, staff=staff) for _ in range(7)]
    today = timezone.localdate()
    for n, wish in enumerate(wishes):
        due = today + datetime.timedelta(days=n % 3) if n % 2 else None
        Wish.objects.filter(pk=wish.pk).update(due_date=due)
    for sort in ("oldest", "due", "newest"):
        whole = ids(Client().get(f"{API}/wishes?sort={sort}&limit=100"))
        seen, cursor = [], None
        while True:
            query = f"?sort={sort}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            answer = Client().get(f"{API}/wishes{query}").json()
            seen += [item["id"] for item in answer["items"]]
            cursor = answer["next_cursor"]
            if cursor is None:
                break
        assert seen == whole and sorted(seen) == sorted(w.pk for w in wishes), sort


@pytest.mark.parametrize("cursor", ["x", "W10", "WyIyMDI2IiwgMV0", "bnVsbA", "!!!"])
def test_a_bad_cursor_is_a_400_problem(cursor, listed):
    answer = Client().get(f"{API}/wishes?cursor={cursor}")
    assert answer.status_code == 400 and answer["Content-Type"] == PROBLEM
    assert answer.json()["code"] == "invalid_cursor"


def test_digits_in_a_search_are_refused_as_on_the_site(listed):
    answer = Client().get(f"{API}/wishes?q=13812345678")
    assert answer.status_code == 400 and answer.json()["code"] == "digits_in_search"


# ----- a wish, as the site shows it -------------------------------------------------------------


def test_a_wish_is_masked_for_whoever_may_not_read_it(community, staff, volunteer, resident):
    home = resident.resident
    home.phone = "13900001111"
    home.save()
    wish = WishFactory(
        community=community,
        resident=home,
        approved=True,
        staff=staff,
        description="请打电话13900001111联系我",
    )
    as_volunteer = bearer(volunteer, scope="read").get(f"{API}/wishes/{wish.pk}").json()
    assert "13900001111" not in json.dumps(as_volunteer, ensure_ascii=False)
    assert as_volunteer["phone"] is None and as_volunteer["address"] is None
    assert "claim" in as_volunteer["moves"]
    as_resident = bearer(resident, scope="read").get(f"{API}/wishes/{wish.pk}").json()
    assert as_resident["phone"] == "13900001111" and "13900001111" in as_resident["description"]
    as_staff = bearer(staff, scope="read").get(f"{API}/wishes/{wish.pk}").json()
    assert as_staff["phone"] == "13900001111"
    assert as_staff["created_at"].endswith("+08:00")


def test_what_the_page_hides_the_api_hides(login, community, other_community, other_staff):
    hidden = WishFactory(community=other_community, approved=True, public_consent=False)
    waiting = WishFactory(community=other_community)
    volunteer = make_volunteer(community)
    for wish in (hidden, waiting):
        assert login(volunteer).get(reverse("wishes:detail", args=[wish.pk])).status_code == 404
        answer = bearer(volunteer, scope="read").get(f"{API}/wishes/{wish.pk}")
        assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM
    assert bearer(other_staff).get(f"{API}/wishes/{waiting.pk}").status_code == 200


# ----- moves -----------------------------------------------------------------------------------


def test_claim_release_fulfil_and_confirm_over_the_api(community, staff, volunteer, resident):
    home = resident.resident
    wish = WishFactory(community=community, resident=home, approved=True, staff=staff)
    app = bearer(volunteer)
    claimed = app.post(f"{API}/wishes/{wish.pk}/claim", {}, content_type="application/json")
    assert claimed.status_code == 200 and claimed.json()["status"]["code"] == "claimed"
    assert claimed.json()["phone"] == home.phone  # the claimer now sees how to reach them
    mine = app.get(f"{API}/me/claims").json()
    assert [c["wish"]["id"] for c in mine["active"]] == [wish.pk] and mine["active"][0]["mine"]
    done = app.post(
        f"{API}/wishes/{wish.pk}/fulfil", {"note": "已送到家中"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"]["code"] == "fulfilled"
    thanks = bearer(resident).post(
        f"{API}/wishes/{wish.pk}/confirm",
        {"thanks": "谢谢！", "rating": 5},
        content_type="application/json",
    )
    assert thanks.status_code == 200 and thanks.json()["status"]["code"] == "confirmed"
    wish.refresh_from_db()
    assert wish.rating == 5
    assert [e.action for e in wish.events.all()][-3:] == ["claim", "fulfil", "confirm"]


def test_the_slower_claimer_gets_the_sites_409_in_the_asked_language(
    community, staff, volunteer, claimer
):
    wish = WishFactory(community=community, approved=True, staff=staff)
    assert (
        bearer(volunteer)
        .post(f"{API}/wishes/{wish.pk}/claim", content_type="application/json")
        .status_code
        == 200
    )
    late = bearer(claimer).post(f"{API}/wishes/{wish.pk}/claim", content_type="application/json")
    assert late.status_code == 409 and late["Content-Type"] == PROBLEM
    body = late.json()
    assert body["code"] == "conflict" and "手慢了一步" in body["detail"]
    english = bearer(claimer).post(
        f"{API}/wishes/{wish.pk}/claim",
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 409 and "手慢" not in english.json()["detail"]
    again = bearer(volunteer).post(f"{API}/wishes/{wish.pk}/claim", content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_yours"
    assert Claim.objects.filter(wish=wish).count() == 1
    form = bearer(claimer).post(f"{API}/wishes/{wish.pk}/claim", {"organisation": "1"})
    assert form.status_code == 400 and form["Content-Type"] == PROBLEM  # JSON only


def test_refusals_carry_the_life_cycles_code(community, staff, volunteer, claimer):
    wish = WishFactory(community=community, approved=True, staff=staff)
    app = bearer(volunteer)
    app.post(f"{API}/wishes/{wish.pk}/claim", content_type="application/json")
    # Someone else's claim is not theirs to see, as on the site: 404, not a hint.
    other = bearer(claimer).post(
        f"{API}/wishes/{wish.pk}/fulfil", {"note": "我也送了"}, content_type="application/json"
    )
    assert other.status_code == 404 and other["Content-Type"] == PROBLEM
    empty = app.post(
        f"{API}/wishes/{wish.pk}/release", {"reason": " "}, content_type="application/json"
    )
    assert empty.status_code == 400 and empty.json()["code"] == "invalid"
    assert "原因" in empty.json()["detail"]
    app.post(f"{API}/wishes/{wish.pk}/fulfil", {"note": "送到了"}, content_type="application/json")
    twice = app.post(
        f"{API}/wishes/{wish.pk}/fulfil", {"note": "又送了"}, content_type="application/json"
    )
    assert twice.status_code in (403, 409) and twice.json()["code"] in ("state", "forbidden")
    nul = app.post(
        f"{API}/wishes/{wish.pk}/release", {"reason": "a\u0000b"}, content_type="application/json"
    )
    assert nul.status_code == 400 and nul["Content-Type"] == PROBLEM


def test_a_resident_submits_a_wish_and_finds_it_under_my_wishes(resident, volunteer):
    app = bearer(resident)
    category = CategoryFactory()
    made = app.post(
        f"{API}/wishes",
        {
            "title": "想要一台收音机",
            "description": "眼睛不好，想听听广播。",
            "category": category.pk,
            "target_group": "elderly",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["status"]["code"] == "submitted"
    assert ids(app.get(f"{API}/me/wishes")) == [made.json()["id"]]
    nothing = {"title": "", "description": "", "category": 0, "target_group": "x"}
    bad = app.post(f"{API}/wishes", nothing, content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) >= {"title", "category"}
    not_a_resident = bearer(volunteer).post(
        f"{API}/wishes",
        {"title": "a", "description": "b", "category": category.pk, "target_group": "elderly"},
        content_type="application/json",
    )
    assert not_a_resident.status_code == 403


# ----- the schema, the docs, Open311 -----------------------------------------------------------


def test_the_openapi_document_and_the_docs_need_no_cdn():
    document = Client().get(f"{API}/openapi.json").json()
    assert document["info"]["title"].startswith("微心愿")
    claim = document["paths"]["/api/v1/wishes/{pk}/claim"]["post"]["responses"]
    assert PROBLEM in claim["409"]["content"]
    docs = Client().get(f"{API}/docs").text
    assert "cdn" not in docs.lower() and "/static/ninja/" in docs


@pytest.fixture
def public(community, staff):
    shown = WishFactory(
        community=community, approved=True, staff=staff, description="电话13900001111"
    )
    done = WishFactory(community=community, confirmed=True, staff=staff)
    private = WishFactory(community=community, approved=True, staff=staff, public_consent=False)
    waiting = WishFactory(community=community)
    return {"shown": shown, "done": done, "private": private, "waiting": waiting}


def test_open311_services_and_requests_in_json(public, community):
    services = Client().get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} >= {str(public["shown"].category_id)}
    rows = Client().get("/open311/v2/requests.json").json()
    by_id = {row["service_request_id"]: row for row in rows}
    assert set(by_id) == {str(public["shown"].pk), str(public["done"].pk)}
    assert by_id[str(public["shown"].pk)]["status"] == "open"
    assert by_id[str(public["done"].pk)]["status"] == "closed"
    text = json.dumps(rows, ensure_ascii=False)
    assert "13900001111" not in text and community.name in text
    assert Client().get("/open311/v2/requests.json?status=closed").json()[0][
        "service_request_id"
    ] == str(public["done"].pk)
    one = Client().get(f"/open311/v2/requests/{public['shown'].pk}.json")
    assert one.status_code == 200 and len(one.json()) == 1
    for hidden in (public["private"], public["waiting"]):
        assert Client().get(f"/open311/v2/requests/{hidden.pk}.json").status_code == 404


def test_open311_speaks_xml_when_asked(public):
    services = ElementTree.fromstring(Client().get("/open311/v2/services.xml").content)
    assert services.tag == "services" and services.find("service/service_code") is not None
    requests = ElementTree.fromstring(Client().get("/open311/v2/requests.xml").content)
    assert {r.findtext("service_request_id") for r in requests.findall("request")} == {
        str(public["shown"].pk),
        str(public["done"].pk),
    }
    missing = Client().get("/open311/v2/requests/999999.xml")
    assert missing.status_code == 404
    assert ElementTree.fromstring(missing.content).findtext("error/code") == "404"


@pytest.mark.parametrize(
    "query", ["status=maybe", "start_date=yesterday", "service_code=a", "service_request_id=1,x"]
)
def test_open311_bad_parameters_are_400s(query, public):
    answer = Client().get(f"/open311/v2/requests.json?{query}")
    assert answer.status_code == 400 and answer.json()[0]["code"] == 400


def test_calls_are_rate_limited_with_a_problem_and_retry_after(settings):
    limit = int(settings.API_RATES["anonymous"].split("/")[0])
    client = Client()
    answers = [client.get(f"{API}/stats").status_code for _ in range(limit)]
    assert set(answers) == {200}
    over = client.get(f"{API}/stats")
    assert over.status_code == 429 and over["Content-Type"] == PROBLEM
    assert over.json()["code"] == "throttled" and int(over["Retry-After"]) > 0


def test_english_when_asked(listed):
    answer = Client().get(f"{API}/wishes?cursor=x", headers={"Accept-Language": "en"})
    assert answer.json()["detail"].startswith("The page cursor is not valid")
    chinese = Client().get(f"{API}/wishes?cursor=x")
    assert "翻页参数不对" in chinese.json()["detail"]
