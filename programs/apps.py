from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_content_after_migrate(sender: AppConfig, **kwargs) -> None:
    # The content is part of the schema's meaning: `migrate` alone must give a usable library.
    from .content import load_content

    using = kwargs.get("using", "default")
    if using != "default":
        return
    report = load_content()
    if kwargs.get("verbosity", 1) >= 1:
        print(f"  {report}")


def _remember_time_zone(sender, request, user, **kwargs) -> None:
    # Kept in the session, so showing times in the person's zone costs no query per request.
    from .care.state import profile_for

    if request is not None and hasattr(request, "session"):
        request.session["time_zone"] = profile_for(user).time_zone


def _account_changed(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    # The pages show the username and what staff may open: a change to the account (the admin,
    # a password reset) moves the record's version on like any other write. A login only
    # stamps last_login, which no page shows.
    if created or update_fields == frozenset({"last_login"}):
        return
    from .care.events import lock_person

    lock_person(instance.pk)


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Hamstring program"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from . import caching, checks  # noqa: F401 - checks registers the deployment checks

        post_migrate.connect(_load_content_after_migrate, sender=self)
        user_logged_in.connect(_remember_time_zone, dispatch_uid="programs-time-zone")
        caching.connect()
        post_save.connect(
            _account_changed, sender=get_user_model(), dispatch_uid="programs-account-changed"
        )
