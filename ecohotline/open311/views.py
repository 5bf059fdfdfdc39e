"""The GeoReport v2 endpoints under /open311/v2/: thin, over `selectors` (reads) and `services` (writes).

Every answer is in the format of the URL's suffix; every failure is the specification's error list with 400,
403, 404 or 429. Names are in the request's language: `?locale=en` (or `lang`), else Accept-Language, else
zh-Hans.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ecohotline.cases.exceptions import CaseError
from ecohotline.core.middleware import normalise_language
from ecohotline.core.ratelimit import client_ip
from ecohotline.open311 import forms, ratelimit, selectors, services
from ecohotline.open311.exceptions import Open311Error
from ecohotline.open311.renderers import error_response, respond

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
# When this API last changed (discovery's `changeset`).
CHANGESET = "2026-11-23T00:00:00+08:00"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def _language(request: HttpRequest) -> str:
    for asked in (request.GET.get("locale"), request.GET.get("lang")):
        if language := normalise_language((asked or "").replace("_", "-")):
            return language
        if asked and asked.lower().startswith("en"):
            return "en"
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-hans"
        if tag.startswith("en"):
            return "en"
    return "zh-hans"


def open311_endpoint(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Method check, language, the per-address limit on GETs, jurisdiction_id and errors, for every endpoint."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            with translation.override(_language(request)):
                try:
                    if request.method not in methods:
                        response = error_response(fmt, [(405, _("Method not allowed."))], status=405)
                        response["Allow"] = ", ".join(methods)
                        return response
                    if request.method == "GET" and not ratelimit.allow_address(client_ip(request) or "unknown"):
                        raise Open311Error(429, _("Too many requests from this address; try again in an hour."))
                    params = request.POST if request.method == "POST" else request.GET
                    forms.check_jurisdiction(params)
                    return view(request, *args, fmt=fmt, **kwargs)
                except Open311Error as exc:
                    return error_response(fmt, exc.errors, status=exc.status)

        return wrapped

    return decorate


@open311_endpoint(("GET",))
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    root = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    content = {
        "changeset": CHANGESET,
        "contact": _("Ecology and Environment Bureau, 12369 environmental hotline"),
        "key_service": _("API keys for filing requests are issued by the bureau's system administrator."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": root,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return respond(fmt, "discovery", None, content)


@open311_endpoint(("GET",))
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return respond(fmt, "services", "service", selectors.service_list())


@open311_endpoint(("GET",))
def service_definition(request: HttpRequest, service_code: str, *, fmt: str) -> HttpResponse:
    definition = selectors.service_definition(service_code)
    if definition is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": service_code[:50]})
    return respond(fmt, "service_definition", None, definition)


@open311_endpoint(("GET", "POST"))
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    found = selectors.find_requests(forms.parse_request_filter(request.GET))
    return respond(fmt, "service_requests", "request", [selectors.request_document(case) for case in found])


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    params: QueryDict = request.POST
    plain = params.get("api_key") or ""
    if not plain.strip():
        raise Open311Error(403, _("api_key was not provided."))
    key = selectors.active_key(plain)
    if key is None:
        raise Open311Error(403, _("api_key is not valid or has been revoked."))
    if not ratelimit.allow_key(key.pk, key.rate_limit_per_hour):
        raise Open311Error(429, _("This api_key has sent more than %(limit)d requests this hour.")
                           % {"limit": key.rate_limit_per_hour})
    new = forms.parse_new_request(params, set(selectors.service_categories()))
    raw = {name: params.getlist(name) if len(params.getlist(name)) > 1 else params.get(name)
           for name in params if name != "api_key"}
    try:
        filed = services.file_request(api_key=key, request=new, raw=raw)
    except CaseError as exc:
        raise Open311Error(400, str(exc.detail)) from exc
    content = [{"service_request_id": str(filed.case_id), "service_notice": selectors.service_notice(),
                "account_id": new.account_id or None}]
    return respond(fmt, "service_requests", "request", content)


@open311_endpoint(("GET",))
def request_detail(request: HttpRequest, service_request_id: str, *, fmt: str) -> HttpResponse:
    case = selectors.find_request(service_request_id)
    if case is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": service_request_id[:40]})
    return respond(fmt, "service_requests", "request", [selectors.request_document(case)])


@open311_endpoint(("GET",))
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    filed = selectors.find_token(token)
    if filed is None:
        raise Open311Error(404, _("token %(token)s was not found.") % {"token": token[:40]})
    return respond(fmt, "service_requests", "request", [{"service_request_id": str(filed.case_id),
                                                         "token": filed.token}])

