"""Whatever the API's URLs answer is a problem document when it is an error — also an unknown
path (Django's 404 page), a method the operation does not take (405) or a request refused
before it reached the API (400: a NUL byte, say): apps read JSON."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _

from .problems import not_found, problem

PREFIX = "/api/"
SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")


class ApiProblemsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(PREFIX) and request.method not in SAFE:
            # Read the body now: the CSRF check of a session call parses a form from the
            # stream, after which the API could no longer read the body it takes.
            try:
                request.body  # noqa: B018
            except RequestDataTooBig:
                return problem(400, "too_big", _("请求的内容太大了。"))
        response = self.get_response(request)
        if not request.path_info.startswith(PREFIX) or response.status_code not in (400, 404, 405):
            return response
        if "json" in response.get("Content-Type", ""):
            return response
        if response.status_code == 400:
            return problem(400, "bad_request", _("请求的内容不符合要求，请检查后再试。"))
        if response.status_code == 405:
            answer = problem(405, "method_not_allowed", _("这个地址不接受这种请求方法。"))
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return not_found()
