"""Errors as RFC 9457 problem details (application/problem+json), in the reader's language.

Every refusal the API gives has `type` (a stable URI under /api/v1/problems/), `title`,
`status`, `detail` (the same words the site would show) and `code` (machine-readable: the
life cycle's refusal codes, or the HTTP meaning).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Content",
    429: "Too Many Requests",
}


class Problem(Exception):
    """Raised by the API's operations: answered as a problem document (see v1.py)."""

    def __init__(self, status: int, code: str, detail: str, **extra):
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def problem(status: int, code: str, detail: str, **extra) -> JsonResponse:
    body = {
        "type": f"/api/v1/problems/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def not_found() -> JsonResponse:
    return problem(404, "not_found", _("没有找到这个内容，它可能已被删除，或者您没有查看的权限。"))
