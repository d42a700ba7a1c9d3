from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programs.schedule.reminders import send_due


class Command(BaseCommand):
    help = (
        "Mail the session reminders that are due now. Run it every few minutes (cron or a "
        "systemd timer): it never sends a person two for one day, however often or in how "
        "many places it runs."
    )

    def handle(self, *args, **options) -> None:
        if not settings.SITE_URL:
            raise CommandError(
                "DJANGO_SITE_URL is not set: the reminders' links need the site's address, "
                "for example https://hamstrings.example.org"
            )
        if not settings.MAIL_CONFIGURED:
            raise CommandError("DJANGO_EMAIL_BACKEND is not set: this server cannot send mail.")
        result = send_due()
        self.stdout.write(
            f"{result.sent} sent, {result.already} already sent, {result.failed} failed"
        )
