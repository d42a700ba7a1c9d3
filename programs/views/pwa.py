"""What an installable web app needs beyond its pages: the service worker, at the site root."""

import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_safe

# Besides our own CSS and JS: what every page loads, and what the install prompt shows.
EXTRA_PRECACHE = [
    "django_htmx/htmx-2.min.js",
    "icons/icon-192.png",
    "icons/icon.svg",
]

# Only the self-test's pages use these, and saving a self-test needs the network anyway: they
# are fetched when such a page opens, not by every first visit (the player's first load
# stays light, docs/performance.md).
NOT_PRECACHED = {"js/self-test.js", "css/self-test.css"}


def _precache_urls() -> list[str]:
    names = []
    for folder, suffix in (("css", ".css"), ("js", ".js")):
        base = settings.BASE_DIR / "static" / folder
        names += [f"{folder}/{p.name}" for p in sorted(base.glob(f"*{suffix}"))]
    names = [n for n in names if n != "js/sw.js" and n not in NOT_PRECACHED] + EXTRA_PRECACHE
    urls = []
    for name in names:
        try:
            urls.append(static(name))
        except ValueError:
            # Not collected (a file added since collectstatic): it will be cached on first use.
            continue
    return urls


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    # Served from the root rather than /static/ so that its scope covers the whole site.
    path = finders.find("js/sw.js")
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    urls = _precache_urls()
    # A new deploy (new hashed names) or a new worker gets a new cache; the old one is dropped.
    version = hashlib.sha256((json.dumps(urls) + source).encode()).hexdigest()[:12]
    body = f"var VERSION = {json.dumps(version)};\nvar PRECACHE = {json.dumps(urls)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit; this keeps any cache in between honest.
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    # Through a view rather than /static/: WhiteNoise would send .webmanifest as
    # application/octet-stream, and here the icons get their hashed, long-cached URLs.
    path = finders.find("manifest.webmanifest")
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for icon in data.get("icons", []):
        icon["src"] = static(icon["src"])
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
