"""Who gets what, for every URL of the site × every kind of person × GET and POST.

Read a row as: this URL, pointed at this record of the world (tests/matrix_world.py), answers
each person so. `tests/test_access_matrix.py` enumerates the URL resolver — a new URL without a
row here fails — and requests each one as each person (POSTs carry no form data: they show
what an empty or forged submission gets).

Outcomes: a status code, "login" (a redirect to a login page) or "302" (any other redirect).
Rules of the house: anonymous → login; an outsider's record → 404, never 403; an insider
without the role → 403; GET on a POST-only action → 405.
"""

from __future__ import annotations

from tests.matrix_world import ROLES

# ----- groups of people --------------------------------------------------------------------

RESIDENTS = ("resident", "other_resident", "fresh")
VOLUNTEERS = ("pending", "volunteer", "volunteer_b", "claimer", "member", "unconfirmed")
NOT_STAFF = RESIDENTS + VOLUNTEERS
GRID_1 = ("grid_worker",)  # works on the grid of 王志强's records
GRID_2 = ("other_grid_worker",)
WHOLE = ("staff", "street_admin", "superuser")  # run 福阳社区 whole
OUR_STAFF = GRID_1 + WHOLE  # work on 王志强's records
STAFF = GRID_1 + GRID_2 + ("staff", "other_staff", "street_admin", "superuser")
SIGNED_IN = tuple(role for role in ROLES if role != "anon")
# Approved volunteers who serve 福阳社区 (directly, or through the confirmed branch) and staff
# working there: the audience of a wish without consent.
AUDIENCE = ("volunteer", "claimer", "member", *GRID_1, *GRID_2, *WHOLE)


def outcome(default, **by_group) -> dict[str, object]:
    """One outcome per person: `default`, then groups or single people given by keyword.

    Groups are the names above in lower case (not_staff=403, our_staff=200); later keywords
    override earlier ones, so go from broad to narrow.
    """
    answer = dict.fromkeys(ROLES, default)
    for key, value in by_group.items():
        people = GROUPS.get(key, (key,))
        for role in people:
            if role not in answer:
                raise KeyError(f"unknown person or group {key!r}")
            answer[role] = value
    return answer


GROUPS = {
    "residents": RESIDENTS,
    "volunteers": VOLUNTEERS,
    "not_staff": NOT_STAFF,
    "grid_1": GRID_1,
    "grid_2": GRID_2,
    "whole": WHOLE,
    "our_staff": OUR_STAFF,
    "staff_roles": STAFF,
    "signed_in": SIGNED_IN,
    "audience": AUDIENCE,
}


def _with(defaults: dict, by_group: dict) -> dict:
    """Defaults first, then what the row says (later keys override earlier ones)."""
    return {**defaults, **by_group}


def page(**by_group):
    """A page for the signed-in: anonymous visitors are sent to log in."""
    return outcome(200, **_with({"anon": "login"}, by_group))


def staff_page(**by_group):
    """A workbench page: anonymous → login, not staff → 403, every staff role 200."""
    return outcome(200, **_with({"anon": "login", "not_staff": 403}, by_group))


def community_page(**by_group):
    """Workbench work for the whole community: grid workers get 403."""
    defaults = {"anon": "login", "not_staff": 403, "grid_1": 403, "grid_2": 403}
    return outcome(200, **_with(defaults, by_group))


def our_record(ok=200, **by_group):
    """A workbench page about 王志强's record: outsiders among staff get 404."""
    defaults = {"anon": "login", "not_staff": 403, "grid_2": 404, "other_staff": 404}
    return outcome(ok, **_with(defaults, by_group))


def our_event(ok=200, **by_group):
    """A workbench page about 福阳社区's hand-over event (community staff only)."""
    defaults = {"anon": "login", "not_staff": 403, "grid_1": 403, "grid_2": 403}
    return outcome(ok, **_with({**defaults, "other_staff": 404}, by_group))


def api_page(ok=200):
    """The JSON API for whoever is signed in (a token or the site's session); nobody: 401."""
    return outcome(ok, anon=401)


def post_only():
    return outcome(405)


EVERYONE_405 = outcome(405)

# ----- the site ----------------------------------------------------------------------------
# (url name, the record it points at) → {"GET": …, "POST": …}

MATRIX: dict[tuple[str, str], dict[str, dict[str, object]]] = {
    ("healthz", ""): {"GET": outcome(200), "POST": EVERYONE_405},
    ("robots_txt", ""): {"GET": outcome(200), "POST": EVERYONE_405},
    ("set_language", ""): {"GET": outcome("302"), "POST": outcome("302")},
    # accounts
    ("accounts:login", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("accounts:logout", ""): {"GET": EVERYONE_405, "POST": outcome("302")},
    ("accounts:register", ""): {
        "GET": outcome("302", anon=200),
        "POST": outcome("302", anon=200),
    },
    ("accounts:register_code", ""): {"GET": outcome("302"), "POST": outcome("302")},
    ("accounts:profile", ""): {"GET": page(), "POST": page()},
    ("accounts:phone_code", ""): {
        "GET": outcome("302", anon="login"),
        "POST": outcome("302", anon="login"),
    },
    ("accounts:join_community", ""): {
        "GET": EVERYONE_405,
        "POST": outcome(403, anon="login", volunteers=200),
    },
    ("accounts:change_organisation", ""): {
        "GET": EVERYONE_405,
        "POST": outcome(403, anon="login", volunteers="302"),
    },
    ("accounts:become_volunteer", ""): {
        "GET": EVERYONE_405,
        "POST": outcome(200, anon="login", volunteers="302"),
    },
    # Nobody in the world has an authenticator: the code page lets them through (302); setting
    # one up is open to everyone signed in; backup codes need one first; turning off, a form.
    # Open to all: the same answer whether or not the number has an account. Without a number
    # typed first, the code page goes back to ask for one.
    ("accounts:password_reset", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("accounts:password_reset_code", ""): {"GET": outcome("302"), "POST": outcome("302")},
    ("accounts:two_factor_verify", ""): {
        "GET": outcome("302", anon="login"),
        "POST": outcome("302", anon="login"),
    },
    ("accounts:two_factor_setup", ""): {"GET": page(), "POST": page()},
    ("accounts:two_factor_codes", ""): {"GET": EVERYONE_405, "POST": outcome("302", anon="login")},
    ("accounts:two_factor_off", ""): {"GET": EVERYONE_405, "POST": outcome("302", anon="login")},
    ("accounts:password_change", ""): {"GET": page(), "POST": page()},
    ("accounts:password_change_done", ""): {"GET": page(), "POST": outcome(405, anon="login")},
    # the public side
    ("wishes:home", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("wishes:list", ""): {"GET": outcome(200), "POST": EVERYONE_405},
    # a wish without consent, waiting for someone: listed only to its audience
    ("wishes:detail", "published_private"): {
        "GET": outcome(404, resident=200, audience=200),
        "POST": outcome(404, resident=200, audience=200),
    },
    # with consent: listed to everyone
    ("wishes:detail", "published"): {"GET": outcome(200), "POST": outcome(200)},
    # taken: its audience gets the short "already taken" page, the people involved the wish
    ("wishes:detail", "claimed"): {
        "GET": outcome(404, resident=200, audience=200),
        "POST": outcome(404, resident=200, audience=200),
    },
    # never published: the resident and our staff only
    ("wishes:detail", "submitted"): {
        "GET": outcome(404, resident=200, our_staff=200),
        "POST": outcome(404, resident=200, our_staff=200),
    },
    ("wishes:photo", "request_photo"): {
        "GET": outcome(404, resident=200, our_staff=200),
        "POST": outcome(404, resident=200, our_staff=200),
    },
    # the claimer may open the fulfilled wish but not its photos
    ("wishes:photo", "fulfil_photo"): {
        "GET": outcome(404, resident=200, our_staff=200),
        "POST": outcome(404, resident=200, our_staff=200),
    },
    # a photo kept for a form sent back with a mistake: its owner's alone
    ("wishes:held_photo", "held_photo"): {
        "GET": outcome(404, resident=200),
        "POST": outcome(404, resident=200),
    },
    ("wishes:new", ""): {
        "GET": outcome(403, anon="login", residents=200),
        "POST": outcome(403, anon="login", residents=200),
    },
    ("wishes:mine", ""): {"GET": page(), "POST": outcome(405, anon="login")},
    ("wishes:edit", "submitted"): {
        "GET": outcome(404, anon="login", resident=200, our_staff=200),
        "POST": outcome(404, anon="login", resident=200, our_staff=200),
    },
    ("wishes:withdraw", "submitted"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", resident="302", our_staff="302"),
    },
    ("wishes:confirm", "fulfilled"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", resident="302", our_staff="302", claimer=403),
    },
    # claiming: the community's approved volunteers; others who may see it are refused (403)
    ("wishes:claim", "published_private"): {
        "GET": EVERYONE_405,
        "POST": outcome(
            404,
            anon="login",
            resident=403,
            audience=403,
            volunteer="302",
            claimer="302",
        ),
    },
    # too late: someone was faster (409); the claimer already holds it
    ("wishes:claim", "claimed"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", resident=409, audience=409, claimer="302"),
    },
    ("wishes:claims", ""): {"GET": page(), "POST": outcome(405, anon="login")},
    # notices: everyone's own
    ("notices:list", ""): {"GET": page(), "POST": page()},
    ("notices:read_all", ""): {"GET": EVERYONE_405, "POST": page(signed_in="302")},
    ("notices:settings", ""): {"GET": page(), "POST": page()},
    ("notices:open", "notice"): {
        "GET": outcome(404, anon="login", claimer="302"),
        "POST": outcome(404, anon="login", claimer="302"),
    },
    ("notices:read", "notice"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", claimer="302"),
    },
    # a dispatch to the branch: its confirmed member answers it
    ("wishes:accept", "dispatched_org"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", resident=403, our_staff=403, member="302"),
    },
    # an empty reason is refused before anything else (400)
    ("wishes:decline", "dispatched_org"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", resident=400, our_staff=400, member=400),
    },
    ("wishes:release", "claimed"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", resident=400, our_staff=400, claimer=400),
    },
    ("wishes:fulfil", "claimed"): {
        "GET": outcome(404, anon="login", resident=403, our_staff=200, claimer=200),
        "POST": outcome(404, anon="login", resident=403, our_staff=200, claimer=200),
    },
    # hand-over events: the code is printed on the notice board; signing in is for the
    # community's approved volunteers and the organising branch's confirmed members
    ("wishes:event_code", ""): {"GET": page(), "POST": page()},
    ("wishes:event", "event"): {
        "GET": page(),
        "POST": outcome(403, anon="login", volunteer=409, claimer="302", member="302"),
    },
    ("wishes:event_calendar", "event"): {"GET": page(), "POST": page()},
    ("wishes:event_photo", "event_photo"): {
        "GET": outcome(404, anon="login", whole=200, volunteer=200),
        "POST": outcome(404, anon="login", whole=200, volunteer=200),
    },
    # organisations' members
    ("communities:organisations", ""): {
        "GET": outcome(403, anon="login", whole=200),
        "POST": outcome(403, anon="login", whole=200),
    },
    ("communities:members", "branch"): {
        "GET": outcome(404, anon="login", whole=200),
        "POST": outcome(404, anon="login", whole=200),
    },
    ("communities:confirm_member", "branch"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", whole="302"),
    },
    ("communities:refuse_member", "branch"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", whole="302"),
    },
    # 圆梦墙: public; staff of the wish decide (an empty photo choice is "none")
    ("outcomes:wall", ""): {"GET": outcome(200), "POST": EVERYONE_405},
    ("outcomes:wall_story", "story"): {"GET": outcome(200), "POST": EVERYONE_405},
    ("outcomes:wall_photo", "story_photo"): {"GET": outcome(200), "POST": EVERYONE_405},
    ("outcomes:wall_hide", "story"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("outcomes:wall_show", "story"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("outcomes:wall_feature", "story"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("outcomes:wall_unfeature", "story"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("outcomes:wall_choose_photos", "story"): {"GET": EVERYONE_405, "POST": our_record("302")},
    # a shared link to a wish on the wall shows its story
    ("wishes:detail", "story"): {"GET": outcome(200), "POST": outcome(200)},
    # service hours: a volunteer's own record; certificates where their 双报到 is approved
    ("outcomes:volunteering", ""): {
        "GET": outcome(403, anon="login", volunteers=200),
        "POST": outcome(405, anon="login"),
    },
    ("outcomes:service_certificate", "community"): {
        "GET": outcome(404, anon="login", volunteer=200, claimer=200),
        "POST": outcome(405, anon="login"),
    },
    # hours for the fulfilled wish: its claimer only; others who may open it are refused (403)
    ("outcomes:hours_enter", "fulfilled"): {
        "GET": outcome(404, anon="login", resident=403, our_staff=403, claimer=200),
        "POST": outcome(404, anon="login", resident=403, our_staff=403, claimer=200),
    },
    ("outcomes:hours_queue", ""): {"GET": staff_page(), "POST": staff_page(staff_roles=405)},
    ("outcomes:hours_approve", "hours_entry"): {"GET": EVERYONE_405, "POST": our_record("302")},
    # an empty reason: refused (400)
    ("outcomes:hours_reject", "hours_entry"): {"GET": EVERYONE_405, "POST": our_record(400)},
    ("outcomes:volunteer_service", "user"): {
        "GET": our_event(),
        "POST": outcome(405, anon="login", not_staff=403, grid_1=403, grid_2=403),
    },
    # 统计: the public summary, an organisation's page and the honour rolls are open to all
    ("outcomes:stats", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("outcomes:stats_export", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("outcomes:honour", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("outcomes:organisation", "branch"): {"GET": outcome(200), "POST": outcome(200)},
    ("outcomes:staff_stats", ""): {"GET": staff_page(), "POST": staff_page()},
    ("outcomes:staff_stats_export", ""): {"GET": staff_page(), "POST": staff_page()},
    # ----- the workbench -----------------------------------------------------------------
    ("staff:index", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:review", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:bulk_approve", ""): {"GET": EVERYONE_405, "POST": staff_page(staff_roles="302")},
    ("staff:wishes", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:wish", "submitted"): {"GET": our_record(), "POST": our_record()},
    ("staff:approve", "submitted"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("staff:reject", "submitted"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("staff:dispatch", "published_private"): {"GET": our_record(), "POST": our_record()},
    # an empty reason: refused (400)
    ("staff:close", "published_private"): {"GET": EVERYONE_405, "POST": our_record(400)},
    ("staff:release", "claimed"): {"GET": EVERYONE_405, "POST": our_record(400)},
    ("staff:remind", "claimed"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("staff:confirm", "fulfilled"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("staff:follow_up", "fulfilled"): {"GET": EVERYONE_405, "POST": our_record("302")},
    ("staff:dispatch_queue", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:overdue", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:find_resident", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:new_resident", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:enter_wish", "person"): {"GET": our_record(), "POST": our_record()},
    ("staff:resident", "person"): {"GET": our_record(), "POST": our_record()},
    ("staff:resident_edit", "person"): {"GET": our_record(), "POST": our_record()},
    ("staff:resident_json", "person"): {"GET": our_record(), "POST": our_record()},
    ("staff:resident_xlsx", "person"): {"GET": our_record(), "POST": our_record()},
    # erasure is for staff of the whole community; an empty form is refused (400)
    # a temporary password for a resident who forgot theirs: anyone working on the record
    ("staff:resident_password", "person"): {"GET": EVERYONE_405, "POST": our_record()},
    ("staff:resident_erase", "person"): {
        "GET": EVERYONE_405,
        "POST": our_record(400, grid_1=403),
    },
    ("staff:access_log", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:categories", ""): {"GET": community_page(), "POST": community_page()},
    ("staff:community", ""): {"GET": community_page(), "POST": community_page()},
    ("staff:volunteers", ""): {"GET": community_page(), "POST": community_page()},
    ("staff:approve_volunteer", "registration"): {
        "GET": EVERYONE_405,
        "POST": our_event("302"),
    },
    ("staff:refuse_volunteer", "registration"): {
        "GET": EVERYONE_405,
        "POST": our_event("302"),
    },
    # one community: straight to it; several: a choice
    ("staff:publish_choose", ""): {
        "GET": staff_page(staff_roles="302", street_admin=200, superuser=200),
        "POST": staff_page(staff_roles="302", street_admin=200, superuser=200),
    },
    ("staff:publish", "community"): {"GET": our_record(grid_2=200), "POST": our_record(grid_2=200)},
    ("staff:publish_qr_png", "community"): {
        "GET": our_record(grid_2=200),
        "POST": our_record(grid_2=200),
    },
    ("staff:publish_qr_svg", "community"): {
        "GET": our_record(grid_2=200),
        "POST": our_record(grid_2=200),
    },
    ("staff:publish_print", "community"): {
        "GET": our_record(grid_2=200),
        "POST": our_record(grid_2=200),
    },
    ("staff:events", ""): {"GET": community_page(), "POST": community_page()},
    ("staff:event_new", ""): {"GET": community_page(), "POST": community_page()},
    ("staff:event", "event"): {"GET": our_event(), "POST": our_event()},
    ("staff:event_attach", "event"): {"GET": EVERYONE_405, "POST": our_event("302")},
    ("staff:event_detach", "event"): {"GET": EVERYONE_405, "POST": our_event("302")},
    ("staff:event_attendee_add", "event"): {"GET": EVERYONE_405, "POST": our_event("302")},
    ("staff:event_attendee_remove", "event"): {"GET": EVERYONE_405, "POST": our_event("302")},
    ("staff:event_qr", "event"): {"GET": our_event(), "POST": our_event()},
    ("staff:event_fulfil", "event"): {"GET": our_event(), "POST": our_event()},
    ("staff:import", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:import_template", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:export_wishes", ""): {"GET": staff_page(), "POST": staff_page()},
    ("staff:export_volunteers", ""): {"GET": community_page(), "POST": community_page()},
    # the JSON API (api/): no token and no session → 401; what each person sees is the site's
    # the document and its Swagger UI (django-ninja's views, which answer any method)
    ("api:openapi-json", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("api:openapi-view", ""): {"GET": outcome(200), "POST": outcome(200)},
    ("api:api-root", ""): {"GET": outcome(404), "POST": outcome(404)},
    ("api:me", ""): {"GET": api_page(), "POST": EVERYONE_405},
    # GET lists (everyone), POST submits: an empty form is not the JSON it takes
    ("api:list_wishes", ""): {"GET": outcome(200), "POST": api_page(400)},
    ("api:submit_wish", ""): {"GET": outcome(200), "POST": api_page(400)},
    ("api:get_wish", "published"): {"GET": outcome(200), "POST": EVERYONE_405},
    ("api:get_wish", "published_private"): {
        "GET": outcome(404, resident=200, audience=200),
        "POST": EVERYONE_405,
    },
    # taken: the people involved (no short "taken" page as on the site: 404 for the rest)
    ("api:get_wish", "claimed"): {
        "GET": outcome(404, claimer=200, our_staff=200, resident=200),
        "POST": EVERYONE_405,
    },
    ("api:get_wish", "submitted"): {
        "GET": outcome(404, resident=200, our_staff=200),
        "POST": EVERYONE_405,
    },
    ("api:my_wishes", ""): {"GET": api_page(), "POST": EVERYONE_405},
    ("api:my_claims", ""): {"GET": api_page(), "POST": EVERYONE_405},
    ("api:notices", ""): {"GET": api_page(), "POST": EVERYONE_405},
    ("api:stats", ""): {"GET": outcome(200), "POST": EVERYONE_405},
    ("api:claim", "published"): {"GET": EVERYONE_405, "POST": api_page(400)},
    ("api:release", "claimed"): {"GET": EVERYONE_405, "POST": api_page(400)},
    ("api:fulfil", "claimed"): {"GET": EVERYONE_405, "POST": api_page(400)},
    ("api:confirm", "claimed"): {"GET": EVERYONE_405, "POST": api_page(400)},
    # tokens are made and revoked by their owner only
    ("api_tokens", ""): {"GET": page(), "POST": page()},
    ("api_token_revoke", "token"): {
        "GET": EVERYONE_405,
        "POST": outcome(404, anon="login", volunteer="302"),
    },
    # Open311 GeoReport v2: open data, read only
    ("open311_services", ""): {"GET": outcome(200), "POST": EVERYONE_405},
    ("open311_requests", ""): {"GET": outcome(200), "POST": EVERYONE_405},
    ("open311_request", "published"): {"GET": outcome(200), "POST": EVERYONE_405},
    ("open311_request", "published_private"): {"GET": outcome(404), "POST": EVERYONE_405},
}

# ----- the admin ---------------------------------------------------------------------------
# Anonymous visitors and people without is_staff are sent to the admin's login page. Staff
# roles see what the access policy lets them see; superusers everything.

ADMIN_LOGIN = dict.fromkeys(("anon", *NOT_STAFF), "login")


def admin(ok=200, **by_group):
    return outcome(ok, **_with(by_group, ADMIN_LOGIN))


ADMIN_SITE = {
    ("admin:index", ""): {"GET": admin(), "POST": admin()},
    ("admin:login", ""): {
        "GET": outcome(200, staff_roles="302"),
        "POST": outcome(200),
    },
    # People without is_staff are sent to the admin's front page (and on to its login).
    ("admin:logout", ""): {
        "GET": outcome(405, **dict.fromkeys(ADMIN_LOGIN, "302")),
        "POST": outcome("302"),
    },
    ("admin:password_change", ""): {"GET": admin(), "POST": admin()},
    ("admin:password_change_done", ""): {"GET": admin(), "POST": admin(405)},
    ("admin:autocomplete", ""): {"GET": admin(403), "POST": admin(405)},
    ("admin:jsi18n", ""): {"GET": admin(), "POST": admin(405)},
    ("admin:view_on_site", "submitted"): {"GET": admin(404), "POST": admin(404)},
    ("admin:app_list", "wishes"): {"GET": admin(), "POST": admin()},
    ("admin:app_list", "auth"): {
        "GET": admin(404, superuser=200),
        "POST": admin(404, superuser=200),
    },
    ("admin:app_list", "accounts"): {"GET": admin(), "POST": admin()},
    ("admin:app_list", "communities"): {"GET": admin(), "POST": admin()},
    ("admin:app_list", "audit"): {"GET": admin(), "POST": admin()},
    ("admin:app_list", "notices"): {
        "GET": admin(404, superuser=200),
        "POST": admin(404, superuser=200),
    },
    ("admin:app_list", "api"): {
        "GET": admin(404, superuser=200),
        "POST": admin(404, superuser=200),
    },
    ("admin:app_list", "django_tasks_database"): {
        "GET": admin(404, superuser=200),
        "POST": admin(404, superuser=200),
    },
    ("admin:catch_all", ""): {"GET": admin(404), "POST": admin(404)},
}

# Per model: which record the URLs point at, which staff roles may see it (the others among
# staff get 404 — or 403 where the model is for superusers only), and whether staff roles
# may add, change and delete. Superusers may do everything.


class Admin:
    def __init__(self, record, see, *, add=False, change=False, delete=False, saved=200, nobody=()):
        self.record, self.see = record, see
        self.add, self.change, self.delete = add, change, delete
        # Verbs not even superusers have here: records made elsewhere, or never rewritten.
        self.nobody = frozenset(nobody)
        # What an empty POST to the change page gets from someone allowed to change: the form
        # again with its errors (200), or "302" where every field is read only.
        self.saved = saved


ON_OUR_GRID = GRID_1 + WHOLE  # 王志强's records
IN_OUR_COMMUNITY = GRID_1 + GRID_2 + WHOLE  # 福阳社区's places and settings
RUN_BY_OUR_COMMUNITY = WHOLE  # volunteers, events
ALL_STAFF = STAFF
SUPER = ("superuser",)

ADMIN_MODELS = {
    "auth.group": Admin("group", SUPER),
    "accounts.user": Admin("user", SUPER),
    "accounts.staffrole": Admin("staff_role", SUPER),
    "accounts.resident": Admin("person", ON_OUR_GRID, add=True, change=True),
    "accounts.volunteerprofile": Admin("volunteer_profile", RUN_BY_OUR_COMMUNITY),
    "accounts.volunteerregistration": Admin(
        "registration", RUN_BY_OUR_COMMUNITY, change=True, saved="302", nobody=["add"]
    ),
    "communities.street": Admin("street", IN_OUR_COMMUNITY),
    "communities.community": Admin("community", IN_OUR_COMMUNITY),
    "communities.grid": Admin("grid", IN_OUR_COMMUNITY),
    "communities.organisation": Admin("branch", IN_OUR_COMMUNITY),
    "wishes.category": Admin("category", ALL_STAFF),
    "wishes.wish": Admin("submitted", ON_OUR_GRID, add=True, change=True),
    # Moves make claims and timeline events; the timeline is never rewritten.
    "wishes.claim": Admin("claim", ON_OUR_GRID, nobody=["add", "change"]),
    "wishes.wishevent": Admin("timeline_event", ON_OUR_GRID, nobody=["add", "change", "delete"]),
    "wishes.handoverevent": Admin("event", RUN_BY_OUR_COMMUNITY),
    "wishes.eventattendance": Admin("attendance", RUN_BY_OUR_COMMUNITY, nobody=["add", "change"]),
    "wishes.rejectionreason": Admin("reason", IN_OUR_COMMUNITY, add=True, change=True, delete=True),
    # Follow-ups are recorded on the workbench, where the rules are checked.
    "wishes.followup": Admin("follow_up", ON_OUR_GRID, nobody=["add"]),
    "notices.notice": Admin("notice", SUPER, nobody=["add", "change"]),
    "notices.delivery": Admin("delivery", SUPER, nobody=["add", "change"]),
    "notices.digest": Admin("digest", SUPER, nobody=["add", "change"]),
    "django_tasks_database.dbtaskresult": Admin(
        "task_result", SUPER, nobody=["add", "change", "delete"]
    ),
    "api.apitoken": Admin("token", SUPER, change=True, saved="302", nobody=["add", "delete"]),
    "audit.auditentry": Admin("audit_entry", ON_OUR_GRID, nobody=["add", "change", "delete"]),
}
