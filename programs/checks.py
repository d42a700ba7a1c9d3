"""Deployment checks of our own, run by `manage.py check --deploy` beside Django's."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def mail_is_set_up(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.MAIL_CONFIGURED:
        return []
    return [
        checks.Warning(
            "No mail is set up, so password reset is switched off (the page says so).",
            hint="Set DJANGO_EMAIL_BACKEND, for example django.core.mail.backends.smtp.EmailBackend "
            "with DJANGO_EMAIL_HOST and its login (docs/deploy.md).",
            id="programs.W001",
        )
    ]
