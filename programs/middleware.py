import logging
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

log = logging.getLogger(__name__)


class PrivatePagesMiddleware:
    """Pages shown to a signed-in person carry their data: never keep them in any cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class TimeZoneMiddleware:
    """Dates and times appear in the person's own time zone, kept in their session at login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.session.get("time_zone") if hasattr(request, "session") else None
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers every answer carries, and one warning a misconfigured proxy set-up deserves.

    - Vary: HX-Request on every page: the views answer htmx with a fragment and a browser with
      the whole page at the same address, so a cache (the browser's own, on Back) must keep
      them apart. Set here rather than per view, so no view can forget it.
    - Permissions-Policy and Cross-Origin-Resource-Policy, which SecurityMiddleware does not set.
    """

    warned_about_proxy = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.PROXY_COUNT and "HTTP_X_FORWARDED_FOR" in request.META:
            self._warn_about_proxy()
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["HX-Request"])
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response

    @classmethod
    def _warn_about_proxy(cls) -> None:
        if cls.warned_about_proxy:
            return
        cls.warned_about_proxy = True
        log.warning(
            "X-Forwarded-For arrived but DJANGO_PROXY_COUNT is 0: every visitor is counted at "
            "the proxy's address, so rate limits and lockouts hit everyone behind it at once. "
            "Set DJANGO_PROXY_COUNT to the number of proxies in front of the app (docs/deploy.md)."
        )


class KnownMethodsMiddleware:
    """The app reads with GET and HEAD and changes things with POST, nothing else. Every other
    method (PUT, PATCH, DELETE, PROPFIND...) is 405 at the door, for Django's own form views too,
    which would otherwise treat a PUT as a POST. Which of the three each view takes is its own
    decorator's business."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        response = self.get_response(request)
        if request.method == "HEAD":
            # The headers of a GET and no body, as HTTP says; gunicorn would otherwise log a
            # warning for every HEAD (a balancer's probe, say). runserver strips it itself.
            if response.streaming:
                response.streaming_content = []
            else:
                response.headers.setdefault("Content-Length", str(len(response.content)))
                response.content = b""
        return response
