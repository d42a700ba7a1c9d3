from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_plan_gates_cautions_and_rep_phases")]

    operations = [
        migrations.RenameField("plan", "avoid_standing_folds", "avoid_forward_bends"),
    ]
