"""The care rules as a table: every event, the states it moves a person from and to, what it
does to a session in progress, the reason shown and where that reason comes from.

``docs/care-rules.md`` carries this table (``render()``; a test keeps the two equal), and the
stateful tests check that every move the code makes is a row here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .choices import CareState as S

ANY = tuple(S)


@dataclass(frozen=True)
class Rule:
    event: str
    when: str
    before: tuple[S, ...]
    after: S | None  # None: stays in the state it came from
    session: str
    reason: str
    # Article code the reason rests on, or "" for our own general safety advice.
    source: str = ""


SCREENING_WARNING = "safety check: a warning sign"
SCREENING_INJURY = "safety check: a recent injury"
SCREENING_CLEAR = "safety check: clear"
CLEARANCE = "clinician's check confirmed"
STARTED = "session started"
FINISHED = "session finished"
FLARE_UP = "flare-up declared"
FLARE_UP_OVER = "flare-up over"
PLAN_ENDED = "plan ended"
NEW_DAY = "a new day"

RULES: list[Rule] = [
    Rule(
        SCREENING_WARNING,
        "any warning sign ticked",
        ANY,
        S.CLINICIAN,
        "ended, sets kept",
        "Signs like these need a clinician's eyes before any exercise; the plan is paused until "
        "a clinician's check is confirmed and a clear safety check follows.",
    ),
    Rule(
        SCREENING_INJURY,
        "sudden pain or a pull, bruising, pain walking or pain at the sit bone",
        (S.NO_PLAN, S.ENDED, S.INJURY, S.ACTIVE, S.FLARE_UP),
        S.INJURY,
        "ended, sets kept",
        "A strained hamstring needs rest, ice packs and compression, not stretching.",
        "004",
    ),
    Rule(
        SCREENING_INJURY,
        "while a clinician's check is owed",
        (S.CLINICIAN, S.PAUSED),
        None,  # stays where it is
        "none open",
        "The stronger pause stays: it still needs a clinician's check.",
    ),
    Rule(
        SCREENING_INJURY,
        "after the clinician's check was confirmed",
        (S.CLINICIAN, S.PAUSED),
        S.INJURY,
        "none open",
        "The injury is what the plan waits for now: rest, ice packs and compression.",
        "004",
    ),
    Rule(
        SCREENING_CLEAR,
        "no plan yet, or after an injury or an ended plan",
        (S.NO_PLAN, S.ENDED, S.INJURY),
        S.ACTIVE,
        "none open",
        "The track the answers point to starts at its first stage (after an injury pause, the "
        "plan resumes at its stage); a forward-tipped pelvis, or not being sure, means the "
        "release track with no hamstring stretching.",
        "000",
    ),
    Rule(
        SCREENING_CLEAR,
        "a running plan",
        (S.ACTIVE, S.FLARE_UP),
        S.ACTIVE,
        "ended if the track or the forward-bend answer changed, else kept",
        "A new track ends the old plan and starts the new one; new disc answers swap or drop "
        "loaded forward bends, and the supported seated stretch stays. Forward bends back at a "
        "free-standing stage reached without them: a step back, to show a steady back first.",
        "001",
    ),
    Rule(
        SCREENING_CLEAR,
        "in a flare-up, with the same track",
        (S.FLARE_UP,),
        S.FLARE_UP,
        "kept unless the forward-bend answer changed",
        "The flare-up goes on until the person says it is over.",
    ),
    Rule(
        SCREENING_CLEAR,
        "a clinician's check still owed",
        (S.CLINICIAN, S.PAUSED),
        None,
        "none open",
        "Still paused: a clear safety check alone does not lift a pause for a warning sign or "
        "for pain; the clinician's check has to be confirmed too.",
    ),
    Rule(
        SCREENING_CLEAR,
        "the clinician's check already confirmed",
        (S.CLINICIAN, S.PAUSED),
        S.ACTIVE,
        "none open",
        "The plan picks up at its stage (or the new track starts); sessions towards the next "
        "stage count afresh.",
    ),
    Rule(
        CLEARANCE,
        "no clear safety check since the warning",
        (S.CLINICIAN, S.PAUSED),
        None,
        "none open",
        "Stored with its date and shown in the plan's history; a clear safety check comes next.",
    ),
    Rule(
        CLEARANCE,
        "a clear safety check taken since the warning",
        (S.CLINICIAN, S.PAUSED),
        S.ACTIVE,
        "none open",
        "The plan picks up at its stage (or starts); sessions towards the next stage count afresh.",
    ),
    Rule(
        CLEARANCE,
        "no plan yet, and no clear safety check since the visit",
        (S.CLINICIAN,),
        S.NO_PLAN,
        "none open",
        "Nothing owed any more; the safety check, taken now that the person has been seen, "
        "starts the plan.",
    ),
    Rule(
        CLEARANCE,
        "no plan, and an injury reported in the safety check since the warning",
        (S.CLINICIAN,),
        S.INJURY,
        "none open",
        "Nothing owed any more; the injury reported since still needs rest, ice and compression "
        "before a plan starts.",
        "004",
    ),
    Rule(
        CLEARANCE,
        "the plan was ended while it waited",
        (S.CLINICIAN,),
        S.ENDED,
        "none open",
        "Nothing owed any more; a new safety check starts a new plan.",
    ),
    Rule(
        STARTED,
        "a running plan",
        (S.ACTIVE,),
        S.ACTIVE,
        "an open one resumes instead",
        "Counts towards moving on only as the first session of the person's own day, not on a "
        "rest day and not as a gentler session; high pain before it offers a gentler session; "
        "the days after the last two sessions both worse make it gentler.",
        "003",
    ),
    Rule(
        STARTED,
        "in a flare-up",
        (S.FLARE_UP,),
        S.FLARE_UP,
        "an open one resumes instead",
        "The short flare-up routine; progress waits, the streak is kept.",
    ),
    Rule(
        FINISHED,
        "pain up 2 or more, the first time in two weeks",
        (S.ACTIVE, S.FLARE_UP),
        None,
        "this one closes",
        "Step back a stage (or stay, at the first stage or after a gentler session) and rest "
        "today and tomorrow; never push through pain.",
    ),
    Rule(
        FINISHED,
        "pain up 2 or more again within two weeks",
        (S.ACTIVE, S.FLARE_UP),
        S.PAUSED,
        "this one closes",
        "Paused: rest and talk to a clinician; it lifts only with a clinician's check confirmed "
        "and a clear safety check.",
    ),
    Rule(
        FINISHED,
        "pain creeping up (up in each of 3 sessions, or 2 points before sessions over 4)",
        (S.ACTIVE, S.FLARE_UP),
        None,
        "this one closes",
        "First a hold and a rest day, then a step back (a pause instead at the first stage or "
        "after a gentler session); a third time it pauses for a clinician.",
    ),
    Rule(
        FINISHED,
        "pain creeping up again with no step back left, or a third time in three weeks",
        (S.ACTIVE, S.FLARE_UP),
        S.PAUSED,
        "this one closes",
        "Paused: talk to a clinician before going on.",
    ),
    Rule(
        FINISHED,
        "sets missed, skipped or cut short",
        (S.ACTIVE,),
        S.ACTIVE,
        "this one closes",
        "Stay at the stage: only sessions done as planned count.",
        "003",
    ),
    Rule(
        FINISHED,
        "enough counted sessions on different days, enough days, steady back where needed",
        (S.ACTIVE,),
        S.ACTIVE,
        "this one closes",
        "Up a stage. Floor stability comes before free-standing work, and plate elevation only "
        "after free-standing neutral spine has been shown in sessions done as planned.",
        "002",
    ),
    Rule(
        FLARE_UP,
        "one tap on the dashboard or in the player",
        (S.ACTIVE,),
        S.FLARE_UP,
        "ended, sets kept",
        "A short gentle routine, progress waits, the streak is kept and the day counts; stop and "
        "see a clinician if the pain spreads, numbness or weakness, or it keeps getting worse.",
    ),
    Rule(
        FLARE_UP_OVER,
        "the person says it is over",
        (S.FLARE_UP,),
        S.ACTIVE,
        "a flare-up routine left open stays open",
        "Back to the same stage, where progress picks up again.",
    ),
    Rule(
        PLAN_ENDED,
        "the person ends it",
        (S.ACTIVE, S.FLARE_UP),
        S.ENDED,
        "ended, sets kept",
        "History is kept; a new safety check starts a new plan.",
    ),
    Rule(
        PLAN_ENDED,
        "while a clinician's check is owed",
        (S.CLINICIAN, S.PAUSED),
        S.CLINICIAN,
        "none open",
        "The plan ends, but the clinician's check it waited for is still owed.",
    ),
    Rule(
        PLAN_ENDED,
        "after the clinician's check, before the safety check it asks for",
        (S.CLINICIAN, S.PAUSED),
        S.ENDED,
        "none open",
        "The plan ends; the clinician's check is on record, and a new safety check starts a "
        "new plan.",
    ),
    Rule(
        PLAN_ENDED,
        "while resting an injury",
        (S.INJURY,),
        S.INJURY,
        "none open",
        "The plan ends; the injury still needs rest, ice and compression.",
        "004",
    ),
    Rule(
        NEW_DAY,
        "midnight in the person's own time zone",
        ANY,
        None,
        "kept",
        "No state changes by time alone: a rest day the plan asked for lifts, and a new session "
        "can count again.",
    ),
]


def moves(rule: Rule, before: S) -> set[S]:
    """The states this rule can move a person in ``before`` to."""
    if before not in rule.before:
        return set()
    return {before if rule.after is None else rule.after}


def allowed(event: str, before: S, after: S) -> bool:
    """Whether some row of the table moves a person in ``before`` to ``after`` on ``event``."""
    return any(after in moves(rule, before) for rule in RULES if rule.event == event)


def _states(states: tuple[S, ...]) -> str:
    if states == ANY:
        return "any"
    return ", ".join(state.label for state in states)


def render() -> str:
    """The table as it appears in docs/care-rules.md."""
    lines = [
        "| Event | When | From | To | Session in progress | Reason shown | Source |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        to = rule.after.label if rule.after is not None else "stays"
        source = f"article {rule.source}" if rule.source else "our own safety advice"
        lines.append(
            f"| {rule.event} | {rule.when} | {_states(rule.before)} | {to} | {rule.session} "
            f"| {rule.reason} | {source} |"
        )
    return "\n".join(lines) + "\n"
