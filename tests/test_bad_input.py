"""Generated input posted to every form: never a server error, never a row from invalid input.

Each form has a small oracle, written from the form's rules in plain terms, that says what a
posted value should do: be refused (4xx, nothing written), be stored, or change nothing because
it is a resend. The oracle is independent of the form code, so the two check each other.
Every example runs inside a savepoint that is rolled back, so each starts from the same records.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from programs.models import (
    Plan,
    PlanChange,
    RedFlag,
    Screening,
    SelfTest,
    SessionExercise,
    SetLog,
    SkipReason,
    TiltAnswer,
    WorkoutSession,
)
from tests.factories import PASSWORD, PlanFactory, UserFactory, WorkoutSessionFactory

PERSONAL = [User, Screening, SelfTest, Plan, PlanChange, WorkoutSession, SessionExercise, SetLog]
BACKEND = "django.contrib.auth.backends.ModelBackend"

REFUSED, STORED, UNCHANGED = "refused", "stored", "unchanged"

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- generated values --------------------------------------------------------------------------

MISSING = None  # the field is not posted at all

# Any text a browser could send (lone surrogates cannot be encoded, so no browser sends them).
_chars = st.characters(blacklist_categories=("Cs",))
any_text = st.text(_chars, max_size=40)
# Text with an ASCII letter in it can never parse as a number or a UUID.
junk = st.tuples(any_text, st.sampled_from("abcxyzQ"), any_text).map("".join)
nul_text = st.tuples(any_text, st.just("\x00"), any_text).map("".join)


def number(low: int, high: int) -> st.SearchStrategy[str | None]:
    """Mostly whole numbers around the allowed range, and anything else a form might get."""
    near = st.integers(low - 3, high + 3).map(str)
    return st.one_of(
        near,
        near,
        st.integers().map(str),
        st.integers(low, high).map(lambda n: f"{n}.5"),
        st.sampled_from(["", " ", "1e3", "9" * 40, "--1", "0x1A"]),
        junk,
        nul_text,
        st.just(MISSING),
    )


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """Three draws in four from `good`, so whole valid forms come up often enough too."""
    return st.integers(0, 3).flatmap(lambda pick: good if pick else bad)


def choice(valid: list[str]) -> st.SearchStrategy[str | None]:
    bad = st.sampled_from([v.upper() for v in valid if v.upper() != v] + ["", " ", "none of it"])
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), bad, junk, st.just(MISSING))


def note(max_length: int) -> st.SearchStrategy[str | None]:
    return st.one_of(
        any_text,
        st.text(_chars, min_size=max_length - 2, max_size=max_length + 3),
        st.integers(max_length - 2, max_length + 2).map(lambda n: "  " + "x" * n + "  "),
        nul_text,
        st.just(MISSING),
    )


def as_int(value: str | None) -> int | None:
    if value is not None and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return None


def in_range(value: str | None, low: int, high: int) -> bool:
    parsed = as_int(value)
    return parsed is not None and low <= parsed <= high


def text_ok(value: str | None, max_length: int) -> bool:
    return value is None or ("\x00" not in value and len(value.strip()) <= max_length)


def is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID((value or "").strip())
    except ValueError:
        return False
    return True


def pain(value: str | None) -> bool:
    # Radio buttons 0-10: only the exact values, no spaces, no "03".
    return value in {str(n) for n in range(11)}


# --- running one example -----------------------------------------------------------------------


def snapshot() -> dict[str, list[dict]]:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in PERSONAL}


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _form(fields: dict[str, str | list[str] | None]) -> dict:
    # A browser always sends the CSRF field with a form, so no real post is ever empty (an
    # empty one would only show the blank form again). The test client does not check it.
    posted = {name: value for name, value in fields.items() if value is not None}
    return {"csrfmiddlewaretoken": "not-checked-here", **posted}


def post(
    url: str,
    fields: dict,
    expect: str,
    *,
    user: User | None = None,
    htmx: bool = False,
) -> tuple[object, dict, dict]:
    """Post and check the outcome against the oracle's verdict; return what changed."""
    if currently_in_test_context():
        event(expect)  # --hypothesis-show-statistics: how often each verdict came up
    client = Client()
    if user is not None:
        client.force_login(user, backend=BACKEND)
    before = snapshot()
    response = client.post(url, _form(fields), headers={"hx-request": "true"} if htmx else {})
    after = snapshot()
    status = response.status_code
    assert status < 500
    if expect == REFUSED:
        assert status in (400, 422), f"{fields!r} should be refused, got {status}"
        assert after == before, f"{fields!r} was refused but something was written"
    else:
        assert status in (200, 302, 303), f"{fields!r} should be accepted, got {status}"
        if expect == STORED:
            assert after != before, f"{fields!r} was accepted but nothing was stored"
        else:
            assert after == before
    return response, before, after


# --- the people and records the forms act on ---------------------------------------------------


@dataclass
class Mid:
    user: User
    session: WorkoutSession
    items: dict[int, SessionExercise]
    logged: SetLog


@pytest.fixture
def mid_session(db) -> Mid:
    """Someone halfway into a session: one set logged, the rest to do."""
    user = UserFactory()
    session = WorkoutSessionFactory(user=user, plan=PlanFactory(user=user))
    items = {item.pk: item for item in session.items.order_by("order")}
    first = next(iter(items.values()))
    number_, side = first.slots()[0]
    logged = SetLog.objects.create(
        item=first, set_number=number_, side=side, reps=first.reps, hold_seconds=first.hold_seconds
    )
    return Mid(user, session, items, logged)


@pytest.fixture
def taken(db) -> User:
    return UserFactory(username="taken")


@pytest.fixture
def user_with_plan(db) -> User:
    return PlanFactory().user


# --- the forms ---------------------------------------------------------------------------------


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_signup_never_fails_and_never_creates_an_account_from_bad_input(data, taken):
    good = "a-long-enough-password-42"
    fields = {
        "username": data.draw(
            st.one_of(
                st.sampled_from(
                    ["newperson", "new.person+1@x", "taken", "", "has space", "x" * 151]
                ),
                any_text,
                st.just(MISSING),
            )
        ),
        "email": data.draw(
            st.one_of(st.sampled_from(["", "a@example.com", "no-at-sign"]), junk, st.just(MISSING))
        ),
        "password1": data.draw(
            st.one_of(st.sampled_from([good, "short-pw-1", "1" * 14]), any_text)
        ),
    }
    fields["password2"] = data.draw(st.one_of(st.just(fields["password1"]), any_text))
    username, email = fields["username"] or "", fields["email"] or ""
    p1, p2 = fields["password1"], fields["password2"]
    surely_bad = (
        p1 != p2
        or len(p1) < 12
        or p1.isdigit()
        or not re.fullmatch(r"[\w.@+-]+", username)
        or len(username) > 150
        or username.lower() == "taken"
        or (email.strip() != "" and "@" not in email)
        or any("\x00" in v for v in (username, email, p1))
    )

    with rolled_back():
        client = Client()
        before = User.objects.count()
        response = client.post(reverse("signup"), _form(fields))
        assert response.status_code < 500
        if surely_bad:
            assert response.status_code == 400
            assert User.objects.count() == before
        elif response.status_code == 302:
            assert User.objects.count() == before + 1


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_screening_never_fails_and_stores_only_a_complete_answer(data, user):
    flags = data.draw(
        st.one_of(
            st.lists(st.sampled_from(RedFlag.values), max_size=2, unique=True),
            st.lists(st.sampled_from(RedFlag.values), max_size=1),
            st.lists(st.sampled_from([*RedFlag.values, "made_up"]), min_size=1, max_size=2),
        )
    )
    fields = {
        "red_flags": flags or None,
        "no_red_flags": data.draw(st.sampled_from([MISSING, "on", "true", "false", ""])),
        "recent_injury": data.draw(mostly(st.sampled_from(["yes", "no"]), choice(["yes", "no"]))),
        "pelvic_tilt": data.draw(mostly(st.sampled_from(TiltAnswer.values), choice(["yes"]))),
        "disc_problems": data.draw(mostly(st.sampled_from(["yes", "no"]), choice(["yes", "no"]))),
        "left_angle": data.draw(mostly(st.integers(0, 120).map(str), number(0, 120))),
        "right_angle": data.draw(mostly(st.integers(0, 120).map(str), number(0, 120))),
    }

    with rolled_back():
        post(reverse("programs-screening"), fields, _screening_verdict(fields), user=user)


def _screening_verdict(f: dict) -> str:
    flags = f["red_flags"] or []
    if any(flag not in RedFlag.values for flag in flags):
        return REFUSED
    if f["recent_injury"] not in ("yes", "no") or f["disc_problems"] not in ("yes", "no"):
        return REFUSED
    if f["pelvic_tilt"] not in TiltAnswer.values:
        return REFUSED
    confirmed = f["no_red_flags"] not in (MISSING, "", "false")
    if bool(flags) == confirmed:  # both ticked, or neither
        return REFUSED
    angles = [f["left_angle"], f["right_angle"]]
    empty = [value in (MISSING, "") for value in angles]
    if any(not e and not in_range(v, 0, 120) for v, e in zip(angles, empty, strict=True)):
        return REFUSED
    may_skip_the_test = bool(flags) or f["recent_injury"] == "yes"
    if any(empty) and (not may_skip_the_test or not all(empty)):
        return REFUSED
    return STORED


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_starting_a_session_takes_only_a_pain_score_from_0_to_10(data, user_with_plan):
    user = user_with_plan
    value = data.draw(st.one_of(number(0, 10), st.sampled_from(["03", "+3", " 3"])))

    with rolled_back():
        post(
            reverse("programs-start"),
            # With a dose chosen, as after the gentler-session offer a high score brings.
            {"pain_before": value, "dose": data.draw(st.sampled_from(["usual", "gentle"]))},
            STORED if pain(value) else REFUSED,
            user=user,
            htmx=data.draw(st.booleans()),
        )


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_logging_a_set_stores_exactly_the_sets_the_plan_has_room_for(data, mid_session):
    m = mid_session
    # Most fields follow one real slot of the session, so whole valid sets come up too.
    slots = [(item.pk, n, side) for item in m.items.values() for n, side in item.slots()]
    item_id, set_number, side = data.draw(st.sampled_from(slots))
    token = st.one_of(
        st.uuids().map(lambda u: u.hex),
        st.just(str(m.logged.client_token)),
        junk,
        st.just(MISSING),
    )
    fields = {
        "item": data.draw(mostly(st.just(str(item_id)), number(0, max(m.items) + 5))),
        "set_number": data.draw(mostly(st.just(str(set_number)), number(0, 4))),
        "side": data.draw(mostly(st.just(side), choice(["none", "left", "right"]))),
        "reps": data.draw(mostly(st.integers(0, 20).map(str), number(0, 500))),
        "hold_seconds": data.draw(mostly(st.integers(0, 60).map(str), number(0, 3600))),
        "client_token": data.draw(mostly(st.uuids().map(str), token)),
    }

    with rolled_back():
        post(
            reverse("programs-log-set", args=[m.session.pk]),
            fields,
            _log_set_verdict(fields, m),
            user=m.user,
            htmx=data.draw(st.booleans()),
        )


def _amounts_ok(f: dict, item=None) -> bool:
    if not in_range(f["reps"], 0, 500) or not in_range(f["hold_seconds"], 0, 3600):
        return False
    reps, seconds = as_int(f["reps"]), as_int(f["hold_seconds"])
    # Nought of what the exercise is made of is no set: reps for reps, seconds for a hold.
    nought = item is not None and (
        (item.counts_reps and reps == 0) or (item.hold_seconds and seconds == 0)
    )
    if nought:
        return False
    return (reps, seconds) != (0, 0)


def _log_set_verdict(f: dict, m: Mid) -> str:
    item = m.items.get(as_int(f["item"]))
    if item is None or not _amounts_ok(f, item) or not is_uuid(f["client_token"]):
        return REFUSED
    number_ = as_int(f["set_number"])
    if number_ is None or not 1 <= number_ <= item.sets or f["side"] not in item.sides:
        return REFUSED
    slot = (item.pk, number_, f["side"])
    logged = (m.logged.item_id, m.logged.set_number, m.logged.side)
    if uuid.UUID(f["client_token"].strip()) == m.logged.client_token:
        # A resend of the set already stored is answered as done; for any other set, refused.
        return UNCHANGED if slot == logged else REFUSED
    return REFUSED if slot == logged else STORED


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_editing_a_set_keeps_the_amounts_within_bounds(data, mid_session):
    m = mid_session
    fields = {"reps": data.draw(number(0, 500)), "hold_seconds": data.draw(number(0, 3600))}
    valid = _amounts_ok(fields, m.logged.item)
    url = reverse("programs-edit-set", args=[m.session.pk, m.logged.pk])

    wanted = (as_int(fields["reps"]), as_int(fields["hold_seconds"]))

    with rolled_back():
        logged = SetLog.objects.get(pk=m.logged.pk)
        changed = valid and wanted != (logged.reps, logged.hold_seconds)
        post(url, fields, STORED if changed else (UNCHANGED if valid else REFUSED), user=m.user)
        logged.refresh_from_db()
        if valid:
            assert (logged.reps, logged.hold_seconds) == wanted


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_skipping_takes_only_a_listed_reason(data, mid_session):
    m = mid_session
    item = list(m.items.values())[1]  # nothing logged yet, so it can be skipped
    reason = data.draw(choice(SkipReason.values))

    with rolled_back():
        post(
            reverse("programs-skip", args=[m.session.pk, item.pk]),
            {"reason": reason},
            STORED if reason in SkipReason.values else REFUSED,
            user=m.user,
            htmx=data.draw(st.booleans()),
        )


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_finishing_takes_a_pain_score_and_a_note_of_bounded_length(data, mid_session):
    m = mid_session
    fields = {
        "pain_after": data.draw(mostly(st.integers(0, 10).map(str), number(0, 10))),
        "note": data.draw(mostly(any_text, note(2000))),
    }
    valid = pain(fields["pain_after"]) and text_ok(fields["note"], 2000)

    with rolled_back():
        post(
            reverse("programs-finish", args=[m.session.pk]),
            fields,
            STORED if valid else REFUSED,
            user=m.user,
            htmx=data.draw(st.booleans()),
        )
        m.session.refresh_from_db()
        assert m.session.is_open is not valid


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_a_self_test_takes_two_angles_from_0_to_120(data, user):
    fields = {
        "left_angle": data.draw(mostly(st.integers(0, 120).map(str), number(0, 120))),
        "right_angle": data.draw(mostly(st.integers(0, 120).map(str), number(0, 120))),
        "note": data.draw(mostly(any_text, note(300))),
    }
    valid = (
        in_range(fields["left_angle"], 0, 120)
        and in_range(fields["right_angle"], 0, 120)
        and text_ok(fields["note"], 300)
    )

    with rolled_back():
        post(reverse("programs-self-test"), fields, STORED if valid else REFUSED, user=user)


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_deleting_the_account_needs_the_password_and_the_tick(data, mid_session):
    m = mid_session
    fields = {
        "password": data.draw(
            st.one_of(st.sampled_from([PASSWORD, PASSWORD + " ", PASSWORD.upper(), ""]), any_text)
        ),
        "confirm": data.draw(
            st.one_of(st.sampled_from([MISSING, "", "on", "true", "false", "False"]), junk)
        ),
    }
    ticked = fields["confirm"] not in (MISSING, "") and fields["confirm"].lower() != "false"
    valid = fields["password"] == PASSWORD and ticked

    with rolled_back():
        post(
            reverse("programs-delete-account"),
            fields,
            STORED if valid else REFUSED,
            user=m.user,
        )
        assert User.objects.filter(pk=m.user.pk).exists() is not valid


# --- the account forms Django provides ---------------------------------------------------------


def _password_text() -> st.SearchStrategy[str | None]:
    return st.one_of(
        st.just(PASSWORD), st.sampled_from(["", "short", PASSWORD.upper()]), any_text, nul_text
    )


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_logging_in_lets_in_only_the_right_password(data, taken, settings):
    settings.AXES_ENABLED = False  # lockouts are tested on their own; here every try is a try
    fields = {
        "username": data.draw(st.one_of(st.just("taken"), st.just("TAKEN"), any_text)),
        "password": data.draw(_password_text()),
    }
    right = fields["username"] == "taken" and fields["password"] == PASSWORD
    with rolled_back():
        client = Client()
        before = snapshot()
        response = client.post(reverse("login"), _form(fields))
        assert response.status_code < 500
        assert snapshot()["Screening"] == before["Screening"]
        assert (response.status_code == 302) is right
        assert ("_auth_user_id" in client.session) is right


@pytest.mark.django_db
@EXAMPLES
@given(data=st.data())
def test_changing_the_password_needs_the_old_one_and_a_good_new_one(data, taken):
    new = data.draw(st.one_of(st.just("another-long-password-17"), _password_text()))
    fields = {
        "old_password": data.draw(_password_text()),
        "new_password1": new,
        "new_password2": data.draw(st.one_of(st.just(new), _password_text())),
    }
    p1 = fields["new_password1"] or ""
    surely_bad = (
        fields["old_password"] != PASSWORD
        or p1 != fields["new_password2"]
        or len(p1) < 12
        or p1.isdigit()
    )
    with rolled_back():
        client = Client()
        client.force_login(taken, backend=BACKEND)
        response = client.post(reverse("password_change"), _form(fields))
        assert response.status_code < 500
        taken.refresh_from_db()
        if surely_bad or response.status_code != 302:
            assert taken.check_password(PASSWORD)
        else:
            assert taken.check_password(p1)


@pytest.mark.django_db
@EXAMPLES
@given(email=st.one_of(st.just("taken@example.com"), junk, any_text, nul_text))
def test_asking_for_a_password_reset_never_fails_and_stores_nothing(email, taken, mailoutbox):
    taken.email = "taken@example.com"
    taken.save(update_fields=["email"])
    with rolled_back():
        mailoutbox.clear()
        before = snapshot()
        response = Client().post(reverse("password_reset"), _form({"email": email}))
        assert response.status_code < 500
        assert snapshot() == before
        # Mail goes only to the address of an account, and the page never says which.
        assert len(mailoutbox) <= (1 if email.strip().lower() == "taken@example.com" else 0)


# --- the oracles accept what a person really sends ---------------------------------------------


@pytest.mark.django_db
def test_a_plain_valid_set_is_stored_once(mid_session):
    m = mid_session
    item = list(m.items.values())[1]
    number_, side = item.slots()[0]
    fields = {
        "item": str(item.pk),
        "set_number": str(number_),
        "side": side,
        "reps": str(item.reps),
        "hold_seconds": str(item.hold_seconds or 0) if item.reps else "5",
        "client_token": str(uuid.uuid4()),
    }
    assert _log_set_verdict(fields, m) == STORED

    _, before, after = post(
        reverse("programs-log-set", args=[m.session.pk]), fields, STORED, user=m.user, htmx=True
    )

    assert len(after["SetLog"]) == len(before["SetLog"]) + 1


@pytest.mark.django_db
def test_a_plain_valid_screening_is_stored(user):
    fields = {
        "red_flags": None,
        "no_red_flags": "on",
        "recent_injury": "no",
        "pelvic_tilt": "no",
        "disc_problems": "no",
        "left_angle": "55",
        "right_angle": "60",
    }
    assert _screening_verdict(fields) == STORED

    post(reverse("programs-screening"), fields, STORED, user=user)

    assert Screening.objects.filter(user=user).count() == 1
