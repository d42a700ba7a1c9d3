"""Not built yet: each view answers 404 until its feature lands.

ENGINEER WORKING ON THIS FILE: read the ground rules in /tmp/rules.md before anything else
(shared-file ownership, git, CSP, test style). Remove this paragraph when you replace the stubs.
"""

from django.http import Http404, HttpRequest, HttpResponse


def history(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def session_detail(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def exercise_history(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def self_test(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def export_csv(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def export_json(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def delete_account(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404
