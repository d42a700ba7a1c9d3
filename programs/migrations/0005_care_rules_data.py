"""Existing plans, sessions and changes in the terms of the care rules, then the constraint that
every pause says why (it needs the pauses filled in first, so it comes in this later step)."""

from django.db import migrations, models
from django.db.models.functions import Now, TruncDate


def _pause_reason(text: str) -> str:
    if "warning sign" in text:
        return "red_flag"
    if "injury" in text:
        return "injury"
    return "pain"


def forwards(apps, schema_editor):
    Plan = apps.get_model("programs", "Plan")
    PlanChange = apps.get_model("programs", "PlanChange")
    WorkoutSession = apps.get_model("programs", "WorkoutSession")
    Screening = apps.get_model("programs", "Screening")
    Profile = apps.get_model("programs", "Profile")

    # A session left open on a plan that is no longer running takes no more sets.
    WorkoutSession.objects.filter(status="in_progress").exclude(plan__status="active").update(
        status="ended",
        ended_reason=(
            "Ended because it belonged to a plan that is no longer running. The sets you logged "
            "are kept."
        ),
        finished_at=Now(),
    )
    WorkoutSession.objects.filter(local_date__isnull=True).update(
        local_date=TruncDate("started_at")
    )
    for change in PlanChange.objects.filter(cause="").iterator():
        if change.kind in ("step_back",) or (change.kind == "pause" and change.session_id):
            cause = "pain_rise"
        elif change.kind in ("hold", "advance"):
            cause = "progress"
        else:
            cause = "screening"
        PlanChange.objects.filter(pk=change.pk).update(cause=cause)

    for plan in Plan.objects.all().iterator():
        entered = (
            PlanChange.objects.filter(
                plan=plan,
                to_stage=plan.stage_id,
                kind__in=["start", "advance", "step_back", "resume"],
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        fields = {"stage_entered_at": entered or plan.created_at}
        if plan.status == "paused":
            pause = (
                PlanChange.objects.filter(plan=plan, kind="pause").order_by("-created_at").first()
            )
            reason = _pause_reason(pause.reason) if pause else "red_flag"
            fields |= {
                "paused_for": reason,
                "paused_at": pause.created_at if pause else plan.created_at,
            }
            if reason in ("red_flag", "pain"):
                Profile.objects.update_or_create(
                    user_id=plan.user_id,
                    defaults={
                        "clearance_due_since": fields["paused_at"],
                        "clearance_due_for": reason,
                    },
                )
        Plan.objects.filter(pk=plan.pk).update(**fields)

    # Warning signs with no plan to pause still need a clinician's all-clear.
    for screening in Screening.objects.filter(outcome="clinician").order_by("created_at"):
        latest = Screening.objects.filter(user_id=screening.user_id).order_by("-created_at").first()
        if latest.pk == screening.pk:
            Profile.objects.update_or_create(
                user_id=screening.user_id,
                defaults={
                    "clearance_due_since": screening.created_at,
                    "clearance_due_for": "red_flag",
                },
            )


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_care_rules_state")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="plan",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "paused"), models.Q(("paused_for", ""), _negated=True)),
                    models.Q(models.Q(("status", "paused"), _negated=True), ("paused_for", "")),
                    _connector="OR",
                ),
                name="paused_plan_has_reason",
            ),
        ),
    ]
