import uuid

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from ..models import ContentFile


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


# The two views below exist only for `make bench` (BENCH_BARE_VIEW=1): they are the ceiling the
# real pages are compared with, going through the same middleware with the same cookies.


def _only_when_benchmarking() -> None:
    if not settings.BENCH_BARE_VIEW:
        raise Http404


@require_safe
def bench_bare(request: HttpRequest) -> HttpResponse:
    _only_when_benchmarking()
    return HttpResponse("ok\n", content_type="text/plain")


@require_POST
def bench_insert(request: HttpRequest) -> HttpResponse:
    """One row written per POST: the floor under any view that saves something."""
    _only_when_benchmarking()
    # ContentFile is the one table with no owner; the benchmark database is thrown away.
    ContentFile.objects.create(path=f"bench/{uuid.uuid4()}", sha256="")
    return HttpResponse("ok\n", content_type="text/plain", status=201)
