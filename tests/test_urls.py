"""Every named page is reached by its own address: no pattern earlier in the list (config/urls.py
puts the most opened pages first) answers for another's."""

from __future__ import annotations

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

SAMPLE = {"int": "7", "str": "abc123", "uuid": str(uuid.uuid4()), "slug": "a-b", "path": "a/b"}


def leaves(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # a regular expression: the admin's and Open311's, matched as written
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from leaves(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, namespace + pattern.name


def test_every_named_route_resolves_to_itself():
    names: dict[str, set[str]] = {}
    for route, name in leaves(get_resolver().url_patterns):
        path = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
        names.setdefault(path, set()).add(name)  # the API's methods share an address
    assert len(names) > 50
    for path, expected in names.items():
        assert resolve(path).view_name in expected, path
