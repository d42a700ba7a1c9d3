from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..care.state import profile_for
from ..forms import SignupForm
from ..throttle import limited


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
@limited("signup")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("programs-dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Two sign-ups with one address at the same moment: the database keeps one.
            form.add_error("email", "This address already belongs to an account.")
            return render(request, "registration/signup.html", {"form": form}, status=400)
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


@sensitive_post_parameters("password")
@require_http_methods(["GET", "HEAD", "POST"])
@limited("login")
def login(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(redirect_authenticated_user=True)(request)


@require_http_methods(["GET", "HEAD", "POST"])
@limited("password_reset")
def password_reset(request: HttpRequest) -> HttpResponse:
    """Django's own reset, where this server can send mail; a plain "not here" where it cannot,
    rather than links written to a log or mail that silently goes nowhere."""
    if not settings.MAIL_CONFIGURED:
        return render(request, "registration/password_reset_unavailable.html")
    return auth_views.PasswordResetView.as_view()(request)
