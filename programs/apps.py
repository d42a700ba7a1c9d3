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


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Hamstring program"

    def ready(self) -> None:
        post_migrate.connect(_load_content_after_migrate, sender=self)
