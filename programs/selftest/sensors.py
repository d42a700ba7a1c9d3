"""The motion sensors are off on every page (settings.PERMISSIONS_POLICY) but the self-test's."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# What the phone's tilt needs: the DeviceOrientation event reads these two. The magnetometer
# (a compass heading) is not needed for a tilt and stays off.
SENSORS = ("accelerometer", "gyroscope")


def sensor_policy() -> str:
    """The site's Permissions-Policy with the tilt sensors allowed for this origin only."""
    policy = settings.PERMISSIONS_POLICY
    for feature in SENSORS:
        policy = policy.replace(f"{feature}=()", f"{feature}=(self)")
    return policy


def motion_sensors_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view whose page may read the motion sensors (the middleware keeps a header set here)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Permissions-Policy"] = sensor_policy()
        return response

    return wrapped
