"""Not built yet: each view answers 404 until its feature lands."""

from django.http import Http404, HttpRequest, HttpResponse


def screening(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def result(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def dashboard(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def plan(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404
