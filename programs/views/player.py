"""Not built yet: each view answers 404 until its feature lands."""

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
