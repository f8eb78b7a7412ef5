"""The API against its own OpenAPI document, with schemathesis: every operation, with data
generated from the schema, as each role (no token, a resident, a volunteer, staff). No answer
may be a server error, and every answer — success or problem document — must be what the
schema says: its status, its content type, its body."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from api.v1 import api
from tests.factories import (
    CommunityFactory,
    ResidentFactory,
    UserFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)

# The document as the site serves it (the same dict /api/v1/openapi.json answers).
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ["anonymous", "resident", "volunteer", "staff"]


@pytest.fixture
def app():
    """Django's WSGI application, called in the test's transaction (as the test client does,
    without closing the connection when a request starts)."""
    signals.request_started.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)


@pytest.fixture
def tokens(db):
    community = CommunityFactory()
    staff = make_staff(community)
    volunteer = make_volunteer(community)
    resident = ResidentFactory(community=community, user=UserFactory()).user
    for _ in range(3):
        WishFactory(community=community, approved=True, staff=staff)
    WishFactory(community=community, claimed=True, staff=staff, claimer=volunteer)
    WishFactory(community=community, resident=resident.resident, fulfilled=True, staff=staff)
    people = {"resident": resident, "volunteer": volunteer, "staff": staff}
    return {
        role: ApiToken.issue(user, name=role, scope="write", days=1)[1]
        for role, user in people.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_as_its_schema_says(case, role, tokens, app):
    headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
    case.call_and_validate(app=app, headers=headers, checks=CHECKS)
