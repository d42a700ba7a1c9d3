"""Factories for personal records. Content (exercises, programs) comes from the loaded files."""

from __future__ import annotations

import datetime as dt
import uuid

import factory
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from programs.models import (
    Article,
    Caution,
    ChangeKind,
    Exercise,
    Outcome,
    Plan,
    PlanChange,
    PlanStatus,
    Program,
    Screening,
    SelfTest,
    SessionExercise,
    SessionStatus,
    SetLog,
    Side,
    Step,
    TiltAnswer,
    Track,
    WorkoutSession,
)

PASSWORD = "a-long-enough-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"9{n:02d}")
    seed = factory.LazyAttribute(lambda a: f"{a.code}_test.txt")
    title = factory.Sequence(lambda n: f"Test article {n}")
    summary = "A test article."


class ExerciseFactory(factory.django.DjangoModelFactory):
    """A made-up exercise, for tests that must not depend on the real content."""

    class Meta:
        model = Exercise

    slug = factory.Sequence(lambda n: f"test-exercise-{n}")
    name = factory.Sequence(lambda n: f"Test exercise {n}")
    level = "easy"
    purpose = "lengthen"
    effort = "hold"
    position = "lying"
    summary = "A test exercise."
    source = factory.SubFactory(ArticleFactory)
    sets = 2
    reps = 1
    hold_seconds = 20
    per_side = True
    rest_seconds = 15


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    exercise = factory.SubFactory(ExerciseFactory)
    number = factory.Sequence(lambda n: n + 1)
    phase = "movement"
    text = "Do the thing slowly."


class CautionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caution

    exercise = factory.SubFactory(ExerciseFactory)
    severity = "warn"
    text = "Careful."


class ScreeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screening

    user = factory.SubFactory(UserFactory)
    red_flags = factory.LazyFunction(list)
    recent_injury = False
    pelvic_tilt = TiltAnswer.NO
    disc_problems = False
    outcome = Outcome.LENGTHEN


class SelfTestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfTest

    user = factory.SubFactory(UserFactory)
    left_angle = 55
    right_angle = 60


class PlanFactory(factory.django.DjangoModelFactory):
    """A plan on a real, loaded programme (the lengthen track unless told otherwise)."""

    class Meta:
        model = Plan
        # The hooks create related rows only; the instance itself needs no second save.
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    program = factory.LazyFunction(lambda: Program.objects.get(track=Track.LENGTHEN))
    stage = factory.LazyAttribute(lambda p: p.program.first_stage())
    screening = factory.SubFactory(ScreeningFactory, user=factory.SelfAttribute("..user"))
    status = PlanStatus.ACTIVE
    # Every pause says why (a database constraint): a paused test plan is paused for pain.
    paused_for = factory.LazyAttribute(lambda p: "pain" if p.status == PlanStatus.PAUSED else "")

    @factory.post_generation
    def started(obj, create, extracted, **kwargs):
        if create:
            PlanChange.objects.create(
                plan=obj,
                kind=ChangeKind.START,
                to_stage=obj.stage,
                reason="Started by a test.",
                created_at=obj.created_at,
            )


class WorkoutSessionFactory(factory.django.DjangoModelFactory):
    """A session with the items of its plan's next day, nothing logged yet."""

    class Meta:
        model = WorkoutSession
        # The hooks create related rows only; the instance itself needs no second save.
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    plan = factory.SubFactory(PlanFactory, user=factory.SelfAttribute("..user"))
    day = factory.LazyAttribute(lambda s: s.plan.next_day() if s.plan else None)
    stage = factory.LazyAttribute(lambda s: s.plan.stage if s.plan else None)
    pain_before = 3
    started_at = factory.LazyFunction(timezone.now)
    # The person's own day: their profile's zone is UTC unless a test sets another.
    local_date = factory.LazyAttribute(lambda s: s.started_at.astimezone(dt.UTC).date())

    @factory.post_generation
    def with_items(obj, create, extracted, **kwargs):
        if not create or extracted is False or obj.day is None:
            return
        prescriptions = obj.day.prescriptions.select_related("exercise")
        SessionExercise.objects.bulk_create(
            SessionExercise.prescribed(obj, order, p.exercise, p.dose)
            for order, p in enumerate(prescriptions, start=1)
        )


class SessionExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionExercise

    session = factory.SubFactory(WorkoutSessionFactory, with_items=False)
    order = factory.Sequence(lambda n: n + 1)
    exercise = factory.SubFactory(ExerciseFactory)
    sets = 2
    reps = 1
    hold_seconds = 20
    per_side = True
    rest_seconds = 15


class SetLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SetLog

    item = factory.SubFactory(SessionExerciseFactory)
    set_number = 1
    side = Side.LEFT
    reps = 1
    hold_seconds = 20
    client_token = factory.LazyFunction(uuid.uuid4)


def log_all_sets(session: WorkoutSession, when: dt.datetime | None = None) -> None:
    """Log every planned set of every item exactly as prescribed."""
    when = when or timezone.now()
    logs = [
        SetLog(
            item=item,
            set_number=n,
            side=side,
            reps=item.reps,
            hold_seconds=item.hold_seconds,
            logged_at=when,
        )
        for item in session.items.all()
        for n, side in item.slots()
    ]
    SetLog.objects.bulk_create(logs)


def finished_session(
    plan: Plan,
    *,
    pain_before: int = 3,
    pain_after: int = 3,
    complete: bool = True,
    when: dt.datetime | None = None,
) -> WorkoutSession:
    """A finished session on the plan's next day, fully logged unless complete=False."""
    when = when or timezone.now()
    session = WorkoutSessionFactory(
        user=plan.user, plan=plan, pain_before=pain_before, started_at=when
    )
    if complete:
        log_all_sets(session, when=when)
    session.pain_after = pain_after
    session.status = SessionStatus.FINISHED
    session.finished_at = when + dt.timedelta(minutes=20)
    session.save()
    return session


def build_history(plan, count: int, *, days_back_from: int = 0) -> list[WorkoutSession]:
    """``count`` finished, fully logged sessions, one a day going back, in a few queries."""
    now = timezone.now()
    day = plan.stage.days.order_by("number").first()
    prescriptions = list(day.prescriptions.select_related("exercise"))
    sessions = WorkoutSession.objects.bulk_create(
        WorkoutSession(
            user=plan.user,
            plan=plan,
            day=day,
            stage=plan.stage,
            status=SessionStatus.FINISHED,
            started_at=now - dt.timedelta(days=days_back_from + i, hours=2),
            local_date=(now - dt.timedelta(days=days_back_from + i, hours=2)).date(),
            finished_at=now - dt.timedelta(days=days_back_from + i, hours=1),
            pain_before=i % 5,
            pain_after=(i + 1) % 5,
        )
        for i in range(count)
    )
    items = SessionExercise.objects.bulk_create(
        SessionExercise.prescribed(s, p.order, p.exercise, p.dose)
        for s in sessions
        for p in prescriptions
    )
    SetLog.objects.bulk_create(
        SetLog(item=item, set_number=n, side=side, reps=item.reps, hold_seconds=item.hold_seconds)
        for item in items
        for n, side in item.slots()
    )
    PlanChange.objects.bulk_create(
        PlanChange(plan=plan, session=s, kind=ChangeKind.HOLD, reason="Held by a test.")
        for s in sessions[::7]
    )
    for i in range(count // 10):
        SelfTestFactory(user=plan.user, taken_at=now - dt.timedelta(days=i * 3))
    if connection.vendor == "postgresql":
        # Production has autovacuum's statistics. Without any, the planner guesses from empty
        # tables and picks plans that take minutes over a few thousand fresh rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return sessions


# --- the care events, called as the views call them --------------------------------------------


def screen(user, *, red_flags=(), recent_injury=False, pelvic_tilt="no", disc_problems=False,
           self_test=(50, 55)):  # fmt: skip
    """A safety check through the care rules; returns (screening, plan or None)."""
    from programs.care import events
    from programs.models import LegReading, Measured

    legs = None
    if self_test is not None:
        legs = tuple(LegReading(angle, Measured.TYPED) for angle in self_test)
    return events.screened(
        user,
        events.Answers(
            red_flags=tuple(red_flags),
            recent_injury=recent_injury,
            pelvic_tilt=pelvic_tilt,
            disc_problems=disc_problems,
            self_test=legs,
        ),
    )


def start_session(plan: Plan, pain_before: int = 3, **answers) -> WorkoutSession:
    """Today's session on the plan's person, through the care rules."""
    from programs.care import events

    return events.session_started(
        plan.user, events.StartAnswers(pain_before=pain_before, **answers)
    )


def finish_session(session: WorkoutSession, pain_after: int = 3, note: str = "", steady_back=None):
    """Finish a session through the care rules; returns the plan change made, if any."""
    from programs.care import events

    return events.session_finished(
        session, events.FinishAnswers(pain_after=pain_after, note=note, steady_back=steady_back)
    )


def qualifying_days(plan: Plan) -> int:
    from programs.care.progress import qualifying

    return qualifying(plan).values("local_date").distinct().count()
