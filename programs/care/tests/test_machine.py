"""The care rules under random sequences of everything a person can do, through the pages.

Hypothesis drives safety checks, session starts, logged sets, finishes with pain ratings,
clinician's checks, flare-ups, ending the plan and days passing, and after every step checks
the rules that must hold between screening, plan, session and progress, and that the move the
step made is a row of the care-rules table (docs/care-rules.md).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, Q
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from programs.care import table
from programs.care.choices import CareState
from programs.care.prescribing import FORWARD_BENDS_BACK, FORWARD_BENDS_REASON
from programs.care.progress import qualifying
from programs.care.state import profile_for, situation
from programs.models import (
    ChangeKind,
    Clearance,
    Exercise,
    PlanChange,
    PlanStatus,
    SessionExercise,
    SessionStatus,
    SetLog,
    Stage,
    Track,
    WorkoutSession,
)
from programs.schedule.days import upcoming
from programs.schedule.models import Schedule, SentReminder
from programs.schedule.reminders import send_due
from tests.factories import UserFactory, log_all_sets

BACKEND = "django.contrib.auth.backends.ModelBackend"
START = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
TRAINING = (CareState.ACTIVE, CareState.FLARE_UP)
ENTERS_STAGE = (ChangeKind.START, ChangeKind.ADVANCE, ChangeKind.STEP_BACK, ChangeKind.RESUME)

screenings = st.fixed_dictionaries(
    {
        # Mostly clear, so plans get going; now and then a warning sign or an injury.
        "red_flag": st.sampled_from([None] * 8 + ["numbness", "night_pain"]),
        "injury": st.sampled_from([False] * 6 + [True]),
        "tilt": st.sampled_from(["no", "no", "yes", "unsure"]),
        "disc": st.sampled_from([False, False, True]),
    }
)


class CareMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        if connection.vendor == "postgresql":
            # The earlier examples' rows have no planner statistics (autovacuum never runs in a
            # test transaction); without them PostgreSQL plans these small queries very badly.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        self.user = UserFactory()
        self.client = Client()
        self.client.force_login(self.user, backend=BACKEND)
        self.stored_sets = 0
        # Our own model of the one rule that matters most: a warning sign or a pause for pain
        # owes a clinician's check, and nothing but a confirmed check pays it.
        self.owed = False

    def teardown(self) -> None:
        # --hypothesis-show-statistics: how far the sequences got (moving up, pauses, ...).
        kinds = set(PlanChange.objects.filter(plan__user=self.user).values_list("kind", flat=True))
        for kind in sorted(kinds):
            event(f"reached a change: {kind}")
        if os.environ.get("CARE_MACHINE_REPORT"):
            print("REACHED", sorted(kinds), self.state())
        self.traveller.stop()

    # --- helpers -------------------------------------------------------------------------

    def state(self) -> CareState:
        return situation(self.user).state

    def open_session(self) -> WorkoutSession | None:
        return WorkoutSession.objects.in_progress().filter(user=self.user).first()

    def moved(self, event: str, before: CareState, accepted: bool = True) -> CareState:
        now = situation(self.user)
        after = now.state
        if accepted:
            assert table.allowed(event, before, after), (
                f"{event}: {before} -> {after} is not a row of the care-rules table (plan "
                f"{now.plan and (now.plan.status, now.plan.paused_for)}, latest check "
                f"{now.latest and now.latest.outcome}, check owed {now.clearance_due})"
            )
        else:
            assert after == before, f"a refused {event} moved {before} -> {after}"
        # A person's taps are a moment apart, never at the very same instant.
        self.clock.shift(dt.timedelta(minutes=1))
        return after

    def check_what_was_prescribed(self, session: WorkoutSession | None) -> None:
        """Checked as each session starts, so a later change of answers cannot hide it."""
        assert session is not None
        plan = session.plan
        items = session.items.select_related("exercise")
        if plan.avoid_forward_bends:
            assert not any(item.exercise.forward_bend for item in items)
        if plan.program.track == Track.RELEASE:
            assert not any(item.exercise.stretches_hamstrings for item in items)
        if plan.stage.steady_back_sessions and any("plate" in i.exercise.slug for i in items):
            assert not plan.avoid_forward_bends

    def pain_paused(self) -> bool:
        plan = situation(self.user).plan
        return plan is not None and plan.paused_for == "pain"

    # --- rules ---------------------------------------------------------------------------

    @initialize(
        zone=st.sampled_from(["UTC", "America/Los_Angeles", "Pacific/Auckland"]),
        first=screenings,
    )
    def sign_up_and_take_the_first_check(self, zone: str, first: dict) -> None:
        profile = profile_for(self.user)
        profile.time_zone = zone
        profile.save()
        # Every day a session day with a reminder: what the calendar and the reminders offer
        # is then exactly what the care rules allow, day by day.
        Schedule.objects.create(
            user=self.user,
            days=Schedule.bits(range(7)),
            time=dt.time(7, 0),
            reminders=True,
            reminder_email="me@example.org",
            verified_email="me@example.org",
        )
        self.take_the_safety_check(first)

    @rule(answers=screenings)
    def take_the_safety_check(self, answers: dict) -> None:
        before = self.state()
        data = {
            "recent_injury": "yes" if answers["injury"] else "no",
            "pelvic_tilt": answers["tilt"],
            "disc_problems": "yes" if answers["disc"] else "no",
            "left_angle": "50",
            "right_angle": "55",
        }
        if answers["red_flag"]:
            data["red_flags"] = [answers["red_flag"]]
        else:
            data["no_red_flags"] = "on"
        response = self.client.post(reverse("programs-screening"), data)
        assert response.status_code == 302
        if answers["red_flag"]:
            event = table.SCREENING_WARNING
            self.owed = True
        elif answers["injury"]:
            event = table.SCREENING_INJURY
        else:
            event = table.SCREENING_CLEAR
        self.moved(event, before)

    @rule(pain=st.integers(0, 10), gentle=st.booleans(), felt=st.sampled_from(["", "worse"]))
    def start_a_session(self, pain: int, gentle: bool, felt: str) -> None:
        before = self.state()
        data = {"pain_before": pain, "dose": "gentle" if gentle else "usual"}
        if felt:
            data["felt_after_last"] = felt
        response = self.client.post(reverse("programs-start"), data)
        assert response.status_code in (303, 400)
        self.moved(table.STARTED, before, accepted=before in TRAINING)
        if before in TRAINING:
            self.check_what_was_prescribed(self.open_session())
        else:
            assert self.open_session() is None

    @rule(data=st.data())
    def log_the_next_set(self, data) -> None:
        session = self.open_session()
        if session is None:
            return
        slot = session.current_slot()
        if slot is None:
            return
        item = slot.item
        reps = data.draw(st.sampled_from([item.reps, max(1, item.reps - 1)]))
        hold = data.draw(st.sampled_from([item.hold_seconds, item.hold_seconds // 2]))
        if reps == 0 and hold == 0:
            hold = 1
        before = self.state()
        response = self.client.post(
            reverse("programs-log-set", args=[session.pk]),
            {
                "item": item.pk,
                "set_number": slot.set_number,
                "side": slot.side,
                "reps": reps,
                "hold_seconds": hold,
                "client_token": uuid.uuid4().hex,
            },
        )
        assert response.status_code in (303, 200), response.status_code
        self.stored_sets += 1
        self.moved("set logged", before, accepted=False)

    @rule()
    def log_into_a_closed_session(self) -> None:
        """A set posted into any session that is not open is refused and stores nothing."""
        item = (
            SessionExercise.objects.filter(session__user=self.user)
            .exclude(session__status=SessionStatus.IN_PROGRESS)
            .order_by("?")
            .first()
        )
        if item is None:
            return
        stored = SetLog.objects.filter(item__session__user=self.user).count()
        response = self.client.post(
            reverse("programs-log-set", args=[item.session_id]),
            {
                "item": item.pk,
                "set_number": 1,
                "side": item.sides[0],
                "reps": item.reps,
                "hold_seconds": item.hold_seconds,
                "client_token": uuid.uuid4().hex,
            },
        )
        assert response.status_code == 400
        assert SetLog.objects.filter(item__session__user=self.user).count() == stored

    @rule(pain=st.integers(0, 10), steady=st.sampled_from([None, True, False]))
    def finish(self, pain: int, steady) -> None:
        session = self.open_session()
        if session is None:
            return
        before = self.state()
        data = {"pain_after": pain}
        if steady is not None:
            data["steady_back"] = "yes" if steady else "no"
        response = self.client.post(reverse("programs-finish", args=[session.pk]), data)
        if response.status_code == 422:  # the steady-back question needed an answer
            data["steady_back"] = "yes"
            response = self.client.post(reverse("programs-finish", args=[session.pk]), data)
        assert response.status_code == 303
        if self.pain_paused():
            self.owed = True
        self.moved(table.FINISHED, before)

    @rule(rise=st.sampled_from([-1, 0, 0, 0, 1, 2]), steady=st.booleans())
    def do_a_whole_session(self, rise: int, steady: bool) -> None:
        """Start, every set as planned, finish: the quick way to sessions that count."""
        before = self.state()
        if before not in TRAINING or self.open_session() is not None:
            return
        pain = 3
        self.client.post(reverse("programs-start"), {"pain_before": pain, "dose": "usual"})
        session = self.open_session()
        self.check_what_was_prescribed(session)
        log_all_sets(session)
        self.stored_sets += sum(i.planned_set_count for i in session.items.all())
        data = {"pain_after": pain + rise, "steady_back": "yes" if steady else "no"}
        assert (
            self.client.post(reverse("programs-finish", args=[session.pk]), data).status_code == 303
        )
        if self.pain_paused():
            self.owed = True
        self.moved(table.FINISHED, before)

    @rule(days=st.integers(1, 12), every=st.sampled_from([1, 1, 2, 3]), steady=st.booleans())
    def keep_it_up(self, days: int, every: int, steady: bool) -> None:
        """Days of sessions done as planned, the way someone gets to move up."""
        for _ in range(days):
            self.clock.shift(dt.timedelta(days=every))
            self.do_a_whole_session(rise=0, steady=steady)

    @rule(days_ago=st.integers(0, 2))
    def confirm_a_clinicians_check(self, days_ago: int) -> None:
        before = self.state()
        seen = profile_for(self.user).today() - dt.timedelta(days=days_ago)
        stored = Clearance.objects.filter(user=self.user).count()
        response = self.client.post(
            reverse("programs-clearance"), {"seen_on": seen.isoformat(), "confirm": "on"}
        )
        # A second tap just after a saved one is answered kindly but stores nothing.
        accepted = Clearance.objects.filter(user=self.user).count() > stored
        assert response.status_code == (302 if accepted else response.status_code)
        assert response.status_code in (302, 400)
        if accepted:
            self.owed = False
        self.moved(table.CLEARANCE, before, accepted=accepted)

    @rule()
    def my_back_is_flaring_up(self) -> None:
        before = self.state()
        self.client.post(reverse("programs-flare-up"))
        self.moved(table.FLARE_UP, before, accepted=before == CareState.ACTIVE)

    @rule()
    def the_flare_up_is_over(self) -> None:
        before = self.state()
        self.client.post(reverse("programs-flare-up-over"))
        self.moved(table.FLARE_UP_OVER, before, accepted=before == CareState.FLARE_UP)

    @rule()
    def end_the_plan(self) -> None:
        before = self.state()
        had_plan = situation(self.user).plan is not None
        self.client.post(reverse("programs-plan-end"), {"confirm": "yes"})
        self.moved(table.PLAN_ENDED, before, accepted=had_plan)

    @rule(hours=st.sampled_from([3, 12, 24, 24, 48, 96]))
    def time_passes(self, hours: int) -> None:
        before = self.state()
        self.clock.shift(dt.timedelta(hours=hours))
        self.moved(table.NEW_DAY, before)

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def one_state_that_agrees_with_the_plan(self) -> None:
        plans = self.user.plans.exclude(status=PlanStatus.ENDED)
        assert plans.count() <= 1
        now = situation(self.user)
        if now.state in TRAINING:
            assert now.plan is not None and now.plan.status == PlanStatus.ACTIVE
        elif now.plan is not None:
            assert now.plan.status == PlanStatus.PAUSED

    @invariant()
    def no_open_session_on_a_plan_that_is_not_active(self) -> None:
        session = self.open_session()
        if session is not None:
            assert session.plan.status == PlanStatus.ACTIVE
            assert self.state() in TRAINING

    @invariant()
    def a_clinicians_check_owed_is_never_skipped(self) -> None:
        if self.owed:
            assert self.state() not in TRAINING
            assert profile_for(self.user).clearance_due

    @rule()
    def the_reminder_sender_runs(self) -> None:
        now = situation(self.user)
        rest = now.rest_day
        done = WorkoutSession.objects.finished().filter(user=self.user, local_date=now.today)
        mine = SentReminder.objects.filter(user=self.user)
        before = mine.count()
        send_due()  # for everyone: the examples before this one left their people behind
        if mine.count() > before:
            assert now.can_train and not rest and not done.exists(), now.state
        assert mine.filter(date=now.today).count() <= 1

    @invariant()
    def session_days_are_only_days_the_rules_allow(self) -> None:
        now = situation(self.user)
        days = upcoming(Schedule.of(self.user), now, weeks=1)
        if not now.can_train:
            assert days == [], now.state
            return
        assert days, "every day is a session day and the plan runs"
        if now.plan.rest_until is not None:
            assert days[0].date > now.plan.rest_until
        if WorkoutSession.objects.finished().filter(user=self.user, local_date=now.today):
            assert days[0].date > now.today
        if now.plan.program.track == Track.RELEASE:
            stretches = set(
                Exercise.objects.filter(stretches_hamstrings=True).values_list("name", flat=True)
            )
            assert not stretches & {name for day in days for name in day.exercises}

    @invariant()
    def nothing_forbidden_is_prescribed(self) -> None:
        items = SessionExercise.objects.filter(session__user=self.user).select_related(
            "exercise", "session__plan__program"
        )
        for item in items:
            plan = item.session.plan
            if plan.program.track == Track.RELEASE:
                assert not item.exercise.stretches_hamstrings, item.exercise
        session = self.open_session()
        if session is not None and session.plan.avoid_forward_bends:
            assert not session.items.filter(exercise__forward_bend=True).exists()

    @invariant()
    def nothing_logged_is_lost_or_logged_late(self) -> None:
        logs = SetLog.objects.filter(item__session__user=self.user).select_related("item__session")
        assert logs.count() == self.stored_sets
        for log in logs:
            closed = log.item.session.finished_at
            assert closed is None or log.logged_at <= closed

    @invariant()
    def every_plan_change_says_why(self) -> None:
        assert not PlanChange.objects.filter(plan__user=self.user, reason="").exists()

    @invariant()
    def every_stage_was_earned(self) -> None:
        """Each move up had the counted sessions on different days, the days, and (before
        free-standing work) the sessions with a steady back."""
        profile = profile_for(self.user)
        for plan in self.user.plans.all():
            changes = list(plan.changes.order_by("created_at", "pk"))
            for at, change in enumerate(changes):
                if change.kind != ChangeKind.ADVANCE:
                    continue
                entered = next(
                    c.created_at for c in reversed(changes[:at]) if c.kind in ENTERS_STAGE
                )
                stage: Stage = change.from_stage
                plan.stage, plan.stage_entered_at = stage, entered
                counted = (
                    qualifying(plan)
                    .filter(started_at__lte=change.created_at)
                    .aggregate(
                        days=Count("local_date", distinct=True),
                        steady=Count("local_date", distinct=True, filter=_steady()),
                    )
                )
                assert counted["days"] >= stage.sessions_to_advance
                days = (profile.local_date(change.created_at) - profile.local_date(entered)).days
                assert days >= stage.min_days
                needed = change.to_stage.steady_back_sessions
                if needed and not _avoided_bends_before(changes[:at]):
                    assert counted["steady"] >= needed

    @invariant()
    def free_standing_work_only_after_its_gate(self) -> None:
        """At a stage that needs a steady back first, with standing work in the plan, the stage
        was entered by a move up made with standing work in the plan too, so the gate held."""
        plan = situation(self.user).plan
        if plan is None or plan.avoid_forward_bends or not plan.stage.steady_back_sessions:
            return
        changes = list(plan.changes.order_by("created_at", "pk"))
        at = max(i for i, c in enumerate(changes) if c.kind in ENTERS_STAGE)
        entering = changes[at]
        if entering.kind == ChangeKind.RESUME:
            at = max(
                i
                for i, c in enumerate(changes[:at])
                if c.kind in ENTERS_STAGE and c.kind != ChangeKind.RESUME
            )
            entering = changes[at]
        assert entering.kind == ChangeKind.ADVANCE, entering
        assert not _avoided_bends_before(changes[:at])

    @invariant()
    def clearances_come_after_their_warning(self) -> None:
        for clearance in Clearance.objects.filter(user=self.user):
            assert clearance.seen_on >= profile_for(self.user).local_date(clearance.warned_at)


def _steady() -> Q:
    return Q(steady_back=True)


def _avoided_bends_before(changes: list[PlanChange]) -> bool:
    """Whether the plan left forward bends out at that point, from the reasons its changes
    stored (the start, and each adjustment of the forward-bend answer)."""
    avoid = False
    for change in changes:
        if FORWARD_BENDS_REASON in change.reason:
            avoid = True
        elif FORWARD_BENDS_BACK in change.reason:
            avoid = False
    return avoid


CareMachine.TestCase.settings = settings(
    # Bounded for `make test`; CARE_MACHINE_EXAMPLES=500 for a deep run by hand.
    max_examples=int(os.environ.get("CARE_MACHINE_EXAMPLES", 20)),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.django_db
def test_the_care_rules_hold_under_any_sequence_of_events():
    # Weeks pass in a run: the login must outlast them, as a remembered login on a phone does.
    with override_settings(SESSION_COOKIE_AGE=10 * 365 * 24 * 3600):
        run_state_machine_as_test(CareMachine, settings=CareMachine.TestCase.settings)
