from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from ..care.state import profile_for
from ..forms import SignupForm


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("programs-dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        profile = profile_for(user)
        if form.cleaned_data["time_zone"]:
            profile.time_zone = form.cleaned_data["time_zone"]
            profile.save(update_fields=["time_zone"])
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # Screening comes first: nobody gets a plan without it.
        return redirect("programs-screening")
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200
    )


def login(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(redirect_authenticated_user=True)(request)
