"""Not built yet: each view answers 404 until its feature lands.

ENGINEER WORKING ON THIS FILE: read the ground rules in /tmp/rules.md before anything else
(shared-file ownership, git, CSP, test style). Remove this paragraph when you replace the stubs.
"""

from django.http import Http404, HttpRequest, HttpResponse


def start(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def player(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def log_set(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def edit_set(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def delete_set(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def skip(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def finish(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404
