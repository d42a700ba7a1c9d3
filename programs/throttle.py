"""Limits per address on the forms that cost a password hash: sign-up, login, password reset.

Each hash takes 0.2-0.5 s of a worker, so a few clients posting in a loop would keep every
worker busy. Written here rather than with django-ratelimit: that library needs memcached or
Redis (its own checks refuse local-memory and database caches), and this app runs on its one
database and nothing else. The counter lives in that database, so every worker and every
machine counts together; a fixed window per address keeps it to one small row per window.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hamstrings.proxy import client_ip

from .models import Throttle


@dataclass(frozen=True)
class Limit:
    hits: int
    per: dt.timedelta

    @property
    def minutes(self) -> int:
        return max(1, round(self.per.total_seconds() / 60))


def _window(now: dt.datetime, per: dt.timedelta) -> dt.datetime:
    seconds = int(per.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def who(address: str | None) -> str:
    """What one visitor controls: an IPv4 address, or the /64 an IPv6 address sits in (one
    connection usually has the whole block, so counting single addresses would be no limit)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def seconds_left(limit: Limit) -> int:
    now = timezone.now()
    return max(1, int((_window(now, limit.per) + limit.per - now).total_seconds()))


def count(scope: str, address: str, limit: Limit) -> int:
    """Counts one more try from this address and returns the tries in the current window."""
    key = f"{scope}:{address}"[:120]
    window = _window(timezone.now(), limit.per)
    rows = Throttle.objects.filter(key=key, window=window)
    with transaction.atomic():
        if not rows.update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    Throttle.objects.create(key=key, window=window, hits=1)
            except IntegrityError:  # another worker made the row a moment ago
                rows.update(hits=F("hits") + 1)
            # A new window: yesterday's rows are of no use any more.
            Throttle.objects.filter(window__lt=window - dt.timedelta(days=1)).delete()
        return rows.values_list("hits", flat=True).first() or 0


def limited(scope: str) -> Callable:
    """Posts to the view count against the visitor's address; past the limit they get a page
    saying how long to wait, with status 429, and the view does not run."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            rule = settings.THROTTLES.get(scope)
            # A limit of 0 (or less) switches it off, for a deployment that limits elsewhere.
            if request.method == "POST" and rule is not None and rule[0] > 0:
                limit = Limit(rule[0], dt.timedelta(seconds=rule[1]))
                if count(scope, who(client_ip(request)), limit) > limit.hits:
                    wait = seconds_left(limit)
                    ctx = {"minutes": max(1, -(-wait // 60))}
                    response = render(request, "registration/too_many.html", ctx, status=429)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
