"""The visitor's address when load balancers stand in front of gunicorn."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address login lockouts are counted against.

    With no proxy in front (DJANGO_PROXY_COUNT=0) that is REMOTE_ADDR. With N proxies, each one
    appends the address it saw to X-Forwarded-For, so the visitor is the N-th entry from the
    right; anything further left was written by the visitor and could be made up to dodge a
    lockout. Without this, everyone would share the balancer's address, and five wrong
    passwords from anywhere would lock a username out for everybody.
    """
    count = settings.PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
