from django.contrib import admin
from django.urls import include, path

from programs.throttle import limited

urlpatterns = [
    # The editors' login hashes a password like ours: the same limit per address.
    path("admin/login/", limited("login")(admin.site.login)),
    path("admin/", admin.site.urls),
    path("", include("programs.urls")),
]
