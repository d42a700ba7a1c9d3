"""Where a person stands: their one care state, read from what the rules in ``events`` wrote."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import Outcome, Plan, PlanChange, PlanStatus, Screening
from .choices import CareState, PauseReason
from .models import FlareUp, Profile

PAUSED_STATE = {
    PauseReason.RED_FLAG: CareState.CLINICIAN,
    PauseReason.INJURY: CareState.INJURY,
    PauseReason.PAIN: CareState.PAUSED,
}


def profile_for(user) -> Profile:
    """The person's care profile, made on first use (people who signed up before it existed)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def current_plan(user) -> Plan | None:
    """The plan that is running or paused; an ended plan is only history."""
    return (
        Plan.objects.filter(user=user)
        .exclude(status=PlanStatus.ENDED)
        # stage__program: the pages ask the stage for the next one.
        .select_related("program", "stage__program", "screening")
        .first()
    )


@dataclass(frozen=True)
class Situation:
    state: CareState
    profile: Profile
    plan: Plan | None
    latest: Screening | None
    flare_up: FlareUp | None

    @property
    def today(self) -> dt.date:
        return self.profile.today()

    @property
    def can_train(self) -> bool:
        return self.state in (CareState.ACTIVE, CareState.FLARE_UP)

    @property
    def clearance_due(self) -> bool:
        return self.profile.clearance_due

    @property
    def rest_day(self) -> bool:
        """Today falls in a rest the plan asked for after a rise in pain."""
        plan = self.plan
        return plan is not None and plan.rest_until is not None and self.today <= plan.rest_until

    @property
    def cleared_screening_due(self) -> bool:
        """A clearance is on record but the safety check has not been taken since it."""
        return not self.clearance_due and self.state in (CareState.CLINICIAN, CareState.PAUSED)

    def pause(self) -> PlanChange | None:
        """The change that paused the plan, for its reason."""
        if self.plan is None or self.plan.status != PlanStatus.PAUSED:
            return None
        return self.plan.changes.filter(kind="pause").first()


def state_of(plan: Plan | None, latest: Screening | None, profile: Profile, flare: bool) -> str:
    """The one care state these records add up to. Every combination maps to exactly one."""
    if plan is not None:
        if plan.status == PlanStatus.PAUSED:
            return PAUSED_STATE[PauseReason(plan.paused_for)]
        return CareState.FLARE_UP if flare else CareState.ACTIVE
    if latest is None:
        return CareState.NO_PLAN
    # A warning sign waits for a clinician's check, then for a clear safety check after it.
    if profile.clearance_due or latest.outcome == Outcome.CLINICIAN:
        return CareState.CLINICIAN
    if latest.outcome == Outcome.INJURY:
        return CareState.INJURY
    if Plan.objects.filter(user_id=profile.user_id).exists():
        return CareState.ENDED
    return CareState.NO_PLAN


def situation(user) -> Situation:
    profile = profile_for(user)
    plan = current_plan(user)
    latest = Screening.objects.filter(user=user).first()
    flare_up = None
    if plan is not None and plan.status == PlanStatus.ACTIVE:
        flare_up = FlareUp.objects.filter(user=user).open().first()
    state = state_of(plan, latest, profile, flare=flare_up is not None)
    return Situation(CareState(state), profile, plan, latest, flare_up)
