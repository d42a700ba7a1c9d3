from django.contrib import admin

from .models import (
    Article,
    Caution,
    Exercise,
    Plan,
    PlanChange,
    Prescription,
    Program,
    ProgramDay,
    Screening,
    SelfTest,
    SessionExercise,
    SetLog,
    Stage,
    Step,
    WorkoutSession,
)


class StepInline(admin.StackedInline):
    model = Step
    extra = 0
    fields = ["number", "phase", "text", "cue", "pose"]


class CautionInline(admin.TabularInline):
    model = Caution
    extra = 0
    fields = ["order", "severity", "step", "title", "text", "source"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this exercise's steps make sense for its cautions.
        if obj is not None:
            formset.form.base_fields["step"].queryset = Step.objects.filter(exercise=obj)
        return formset


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "purpose", "level", "effort", "per_side", "source"]
    list_filter = ["purpose", "level", "effort", "standing_fold", "source"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StepInline, CautionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "order", "summary", "source"]}),
        (
            "Kind",
            {
                "fields": [
                    "level",
                    "purpose",
                    "effort",
                    "position",
                    "equipment",
                    "standing_fold",
                    "stretches_hamstrings",
                    "alternative",
                ]
            },
        ),
        (
            "Dose",
            {"fields": ["sets", "reps", "hold_seconds", "per_side", "rest_seconds", "dose_note"]},
        ),
        ("Benefits and mistakes", {"fields": ["benefits", "mistakes"]}),
    ]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "seed"]


@admin.register(Caution)
class CautionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "severity", "exercise", "applies_to", "source"]
    list_filter = ["severity", "applies_to", "source"]


class PrescriptionInline(admin.TabularInline):
    model = Prescription
    extra = 0


@admin.register(ProgramDay)
class ProgramDayAdmin(admin.ModelAdmin):
    list_display = ["__str__", "stage"]
    inlines = [PrescriptionInline]


class ProgramDayInline(admin.TabularInline):
    model = ProgramDay
    extra = 0
    show_change_link = True


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "sessions_to_advance", "steady_back_sessions"]
    inlines = [ProgramDayInline]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "track", "sessions_per_week"]
    inlines = [StageInline]


class PersonalRecordAdmin(admin.ModelAdmin):
    """Staff may look, for support; only the person changes or deletes their own records."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Screening)
class ScreeningAdmin(PersonalRecordAdmin):
    list_display = ["user", "created_at", "outcome"]
    list_filter = ["outcome"]


admin.site.register(
    [SelfTest, Plan, PlanChange, WorkoutSession, SessionExercise, SetLog], PersonalRecordAdmin
)
