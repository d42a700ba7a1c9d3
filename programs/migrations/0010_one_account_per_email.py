"""An email address belongs to one account, whatever its case, so a reset mails one account.

Where an address was already on several accounts, it stays on the oldest and is cleared on the
others (they can add an address again, a new one), then a unique index keeps it that way.
"""

from django.db import migrations
from django.db.models.functions import Lower


def clear_duplicates(apps, schema_editor):
    User = apps.get_model("auth", "User")
    seen: set[str] = set()
    for user in User.objects.exclude(email="").annotate(low=Lower("email")).order_by("pk"):
        if user.low in seen:
            User.objects.filter(pk=user.pk).update(email="")
        seen.add(user.low)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("programs", "0009_throttle"),
    ]

    operations = [
        migrations.RunPython(clear_duplicates, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE UNIQUE INDEX user_email_once ON auth_user (LOWER(email)) WHERE email <> ''",
            "DROP INDEX user_email_once",
        ),
    ]
