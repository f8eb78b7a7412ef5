"""Every URL of the site × every kind of person × GET and POST, against tests/access_matrix.py.

The URLs come from the resolver itself, so a new URL without a row in the table fails here.
Each request runs in a savepoint that is rolled back, so every person meets the same world.
Every page a person gets is also searched for other people's phone numbers, addresses,
household situations, full names and e-mail addresses that this person must not see.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix import ADMIN_LOGIN, ADMIN_MODELS, ADMIN_SITE, MATRIX
from tests.factories import PASSWORD
from tests.matrix_world import ROLES, World, build_world

pytestmark = pytest.mark.django_db

# ----- the resolver -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "wishes:detail"; unnamed admin routes get a name from what they do
    route: str
    params: tuple[str, ...]


def routes() -> list[Route]:
    found = []

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            params = tuple(pattern.pattern.regex.groupindex)
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            elif route.endswith("(?P<url>.*)$"):
                name = "admin:catch_all"
            else:  # admin/<app>/<model>/<id>/ redirects to the change page
                app, model = route.split("/")[1:3]
                name = f"admin:{app}_{model}_redirect"
            found.append(Route(name, route, params))

    walk(get_resolver().url_patterns)
    return found


# ----- the rows ---------------------------------------------------------------------------

ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete", "redirect")


def admin_model_rows() -> dict[tuple[str, str], dict[str, dict[str, object]]]:
    """What each model's admin URLs answer, from who may see, add, change and delete."""
    rows = {}
    for label, spec in ADMIN_MODELS.items():
        rows.update(_rows_for_model(label, spec))
    return rows


def _rows_for_model(label: str, spec) -> dict[tuple[str, str], dict[str, dict[str, object]]]:
    app, model = label.split(".")
    super_only = spec.see == ("superuser",)
    hidden = 403 if super_only else 404  # staff outside what they may see

    def per_role(decide):
        return {role: ADMIN_LOGIN.get(role) or decide(role) for role in ROLES}

    def allowed_to(verb, flag):
        if verb in spec.nobody:
            return lambda role: False
        return lambda role: role == "superuser" or flag

    def on_record(ok_if_allowed, allowed):
        return per_role(
            lambda role: (ok_if_allowed if allowed(role) else 403) if role in spec.see else hidden
        )

    def everyone_who_sees(role):
        return True

    listing = per_role(lambda role: 403 if super_only and role != "superuser" else 200)
    add = per_role(lambda role: 200 if allowed_to("add", spec.add)(role) else 403)
    redirect = per_role(lambda role: "302")
    name = f"admin:{app}_{model}"
    return {
        (f"{name}_changelist", spec.record): {"GET": listing, "POST": listing},
        (f"{name}_add", spec.record): {"GET": add, "POST": add},
        (f"{name}_change", spec.record): {
            "GET": on_record(200, everyone_who_sees),
            "POST": on_record(spec.saved, allowed_to("change", spec.change)),
        },
        (f"{name}_history", spec.record): {
            "GET": on_record(200, everyone_who_sees),
            "POST": on_record(200, everyone_who_sees),
        },
        (f"{name}_delete", spec.record): {
            "GET": on_record(200, allowed_to("delete", spec.delete)),
            # An empty POST is not a confirmation: the page asks again.
            "POST": on_record(200, allowed_to("delete", spec.delete)),
        },
        (f"{name}_redirect", spec.record): {"GET": redirect, "POST": redirect},
    }


def all_rows():
    rows = {**MATRIX, **ADMIN_SITE, **admin_model_rows()}
    rows[("admin:auth_user_password_change", "user")] = {
        "GET": {
            role: ADMIN_LOGIN.get(role) or (200 if role == "superuser" else 403) for role in ROLES
        },
        "POST": {
            role: ADMIN_LOGIN.get(role) or (200 if role == "superuser" else 403) for role in ROLES
        },
    }
    return rows


def path_for(name: str, record: str, route: Route, world: World) -> str:
    """The URL of `name` pointed at the world's `record`."""
    if name == "admin:catch_all":
        return "/admin/no-such-page/"
    if name == "admin:view_on_site":
        wish = world["submitted"]
        content_type = ContentType.objects.get_for_model(wish).pk
        return reverse(name, args=[content_type, wish.pk])
    if name == "admin:app_list":
        return reverse(name, kwargs={"app_label": record})
    obj = world.objects[record] if record else None
    if name.endswith("_redirect"):
        return "/" + route.route.replace("<path:object_id>", str(obj.pk))
    special = {
        "photo_pk": lambda: obj.pk,
        "code": lambda: world["event"].short_code,
        "wish_pk": lambda: world["claimed"].pk,
        "attendance_pk": lambda: world["attendance"].pk,
        "resident_pk": lambda: world["person"].pk,
        "member_pk": lambda: world["unconfirmed_profile"].pk,
        "key": lambda: obj.key,
        "fmt": lambda: "json",
    }
    kwargs = {}
    for param in route.params:
        if param in special:
            kwargs[param] = special[param]()
        elif param in ("pk", "object_id", "id"):
            kwargs[param] = obj.wish_id if name == "wishes:photo" else obj.pk
        else:
            raise AssertionError(f"{name}: no value for <{param}> in the matrix world")
    if name == "wishes:event_photo":
        kwargs.pop("pk", None)
    return reverse(name, kwargs=kwargs)


# ----- what a person must not see ----------------------------------------------------------

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def allowed_secrets(role: str, world: World) -> set[str]:
    """The world's secrets this person may meet (their own, and what their work needs)."""
    owners = {
        "resident": {"resident"},
        "other_resident": {"other_resident"},
        "grid_worker": {"resident"},
        "other_grid_worker": {"other_resident"},
        "staff": {"resident", "other_resident"},
        "street_admin": {"resident", "other_resident"},
        "superuser": {"resident", "other_resident"},
    }.get(role, set())
    owners |= {f"email:{owner}" for owner in owners} | {f"email:{role}"}
    allowed = {secret for secret, owner in world.secrets.items() if owner in owners}
    if role == "superuser":
        allowed |= {s for s, owner in world.secrets.items() if owner.startswith("email:")}
    if role == "claimer":  # delivering 王志强's wish: his phone and address, nothing more
        person = world["person"]
        allowed |= {person.phone, person.address}
    return allowed


def text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(
                book.read(name).decode("utf-8", "replace")
                for name in book.namelist()
                if name.endswith(".xml")
            )
    if content_type.startswith(("text/", "application/json", "image/svg")):
        return body.decode("utf-8", "replace")
    return ""


def leaks(role: str, response, world: World, own_phones: set[str]) -> list[str]:
    text = text_of(response)
    if not text:
        return []
    allowed = allowed_secrets(role, world)
    found = [
        f"{secret!r} ({owner})"
        for secret, owner in world.secrets.items()
        if secret not in allowed and secret in text
    ]
    if role in ("anon", "fresh", "pending", "unconfirmed", "volunteer_b", "other_resident"):
        found += [f"phone {number}" for number in set(MOBILE.findall(text)) - own_phones - allowed]
    return found


# ----- running it --------------------------------------------------------------------------


def outcome_of(response) -> object:
    if response.status_code in (301, 302):
        location = response["Location"]
        return "login" if "/login/" in location else "302"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_person_as_the_table_says(role):
    world = build_world()
    client = Client()
    if role != "anon":
        assert client.login(username=world.users[role].username, password=PASSWORD)
    own_phones = set()
    if role != "anon":
        user = world.users[role]
        own_phones = {user.phone} if user.phone else set()
        if hasattr(user, "resident"):
            own_phones.add(user.resident.phone)
    found = {route.name: route for route in routes()}
    rows = all_rows()
    problems = []
    for (name, record), expected in sorted(rows.items()):
        route = found[name]
        path = path_for(name, record, route, world)
        for method in ("GET", "POST"):
            cookies = client.cookies.__class__()
            cookies.update(client.cookies)
            with transaction.atomic():
                response = getattr(client, method.lower())(path)
                got = outcome_of(response)
                seen = leaks(role, response, world, own_phones) if got == 200 else []
                transaction.set_rollback(True)
            client.cookies = cookies  # a logout must not log the next request out
            want = expected[method][role]
            if got != want:
                problems.append(f"{method} {path} [{name}]: expected {want}, got {got}")
            for leak in seen:
                problems.append(f"{method} {path} [{name}]: shows {leak}")
    assert not problems, f"{role}: {len(problems)} problems\n" + "\n".join(problems)


def test_every_url_has_a_row_in_the_table():
    """A new URL cannot escape the matrix: add its row to tests/access_matrix.py."""
    names = {route.name for route in routes()}
    covered = {name for name, _record in all_rows()}
    assert names - covered == set(), "URLs without a row in tests/access_matrix.py"
    assert covered - names == set(), "rows for URLs that no longer exist"


def test_the_table_has_an_answer_for_every_person():
    for key, row in all_rows().items():
        for method in ("GET", "POST"):
            assert set(row[method]) == set(ROLES), (key, method)


def test_the_matrix_covers_every_person_and_both_methods():
    rows = all_rows()
    size = len(rows) * len(ROLES) * 2
    # 218 rows × 16 people × 2 methods = 6,976 requests when this was written.
    assert size >= 6976, size
