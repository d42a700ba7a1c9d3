from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..models import Caution, Exercise, Level, Purpose


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    ctx = {
        "featured": Exercise.objects.select_related("source").order_by("order")[:6],
        "general_cautions": Caution.objects.shared().select_related("source"),
    }
    return render(request, "programs/home.html", ctx)


@require_safe
def exercise_list(request: HttpRequest) -> HttpResponse:
    purpose = request.GET.get("purpose", "")
    level = request.GET.get("level", "")
    exercises = Exercise.objects.select_related("source")
    # An unknown filter value is ignored rather than answered with an empty page.
    if purpose in Purpose.values:
        exercises = exercises.filter(purpose=purpose)
    else:
        purpose = ""
    if level in Level.values:
        exercises = exercises.filter(level=level)
    else:
        level = ""
    ctx = {
        "exercises": exercises,
        "purpose": purpose,
        "level": level,
        "purposes": Purpose.choices,
        "levels": Level.choices,
    }
    template = "programs/exercise_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, ctx)


@require_safe
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(Exercise.objects.with_content(), slug=slug)
    ctx = {
        "exercise": exercise,
        "steps": exercise.steps.all(),
        "shared_cautions": exercise.shared_cautions(),
    }
    return render(request, "programs/exercise_detail.html", ctx)
