"""Not built yet: each view answers 404 until its feature lands.

ENGINEER WORKING ON THIS FILE: read the ground rules in /tmp/rules.md before anything else
(shared-file ownership, git, CSP, test style). Remove this paragraph when you replace the stubs.
"""

from django.http import Http404, HttpRequest, HttpResponse


def screening(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def result(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def dashboard(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def plan(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404
