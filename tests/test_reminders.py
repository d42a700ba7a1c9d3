"""Reminder mail on session days: opt-in, to a confirmed address, once a day at most whatever
runs the sender, never on a day the care rules keep free, and stopped by one signed link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from programs.models import PlanStatus, Profile
from programs.schedule.models import Schedule, SentReminder
from programs.schedule.reminders import send_due
from tests.factories import UserFactory, finish_session, log_all_sets, screen, start_session

SCHEDULE = reverse("programs-schedule")
# Monday 9 March 2026.
MONDAY = dt.date(2026, 3, 9)
LINK = re.compile(r"http://\S+")


def at(day: dt.date, hour: int, minute: int = 0, zone: str = "UTC") -> dt.datetime:
    import zoneinfo

    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone))


@pytest.fixture
def plan(user):
    Profile.objects.update_or_create(user=user, defaults={"time_zone": "Pacific/Auckland"})
    return screen(user)[1]


def sign_up_for_reminders(client, days=(0, 2, 4), time="07:00", email="me@example.org"):
    data = {"days": list(days), "time": time, "reminders": "on", "reminder_email": email}
    return client.post(SCHEDULE, data)


def confirm_from_mail(message) -> None:
    """Opens the link and presses the button, the day after it was sent."""
    link = LINK.search(message.body).group(0)
    path = link.removeprefix("http://testserver")
    client = Client()
    with time_machine.travel(at(MONDAY, 2), tick=False):
        assert "Yes, send my reminders here" in client.get(path).content.decode()
        assert client.post(path).status_code == 200


@pytest.fixture
def subscribed(user_client, user, plan):
    with time_machine.travel(at(MONDAY, 1), tick=False):
        sign_up_for_reminders(user_client)
    confirm_from_mail(mail.outbox.pop())
    return Schedule.objects.get(user=user)


def sent_on(moments) -> list[dt.datetime]:
    """Runs the sender at each moment; the moments at which a reminder went out."""
    sent = []
    for moment in moments:
        before = len(mail.outbox)
        with time_machine.travel(moment, tick=False):
            send_due()
        if len(mail.outbox) > before:
            sent.append(moment)
    return sent


def test_nothing_is_sent_before_the_address_is_confirmed(user_client, user, plan):
    with time_machine.travel(at(MONDAY, 1), tick=False):
        sign_up_for_reminders(user_client)
    [link_mail] = mail.outbox
    assert link_mail.to == ["me@example.org"] and "confirm it within 3 days" in link_mail.body
    assert sent_on([at(MONDAY, 7, 5, "Pacific/Auckland")]) == []
    confirm_from_mail(link_mail)
    assert Schedule.objects.get(user=user).sends_reminders


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles", "UTC"])
def test_one_reminder_a_session_day_at_the_persons_own_time(subscribed, user, zone):
    Profile.objects.filter(user=user).update(time_zone=zone)
    # Every ten minutes over four days, as cron would run it, in the person's own hours.
    start = at(MONDAY, 0, 0, zone)
    moments = [start + dt.timedelta(minutes=10 * n) for n in range(4 * 24 * 6)]
    sent = sent_on(moments)
    local = [moment.astimezone(start.tzinfo) for moment in sent]
    assert [(m.date(), m.hour, m.minute) for m in local] == [
        (MONDAY, 7, 0),
        (MONDAY + dt.timedelta(days=2), 7, 0),
    ]


def test_the_mail_says_what_the_day_holds_and_how_to_stop(subscribed):
    sent_on([at(MONDAY, 7, 1, "Pacific/Auckland")])
    [reminder] = mail.outbox
    assert reminder.to == ["me@example.org"]
    assert reminder.subject == "Your hamstring session today at 07:00"
    assert "/dashboard/" in reminder.body and "Stop any exercise that hurts." in reminder.body
    stop = reminder.extra_headers["List-Unsubscribe"].strip("<>")
    assert stop in reminder.body
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_running_twice_at_once_sends_one(subscribed):
    moment = at(MONDAY, 7, 2, "Pacific/Auckland")
    with time_machine.travel(moment, tick=False):
        first, second = send_due(), send_due()
    assert (first.sent, second.sent, second.already) == (1, 0, 1)
    assert len(mail.outbox) == 1


def test_the_database_refuses_a_second_reminder_for_a_day(subscribed):
    SentReminder.objects.create(user=subscribed.user, date=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        SentReminder.objects.create(user=subscribed.user, date=MONDAY)


def test_a_sender_that_finds_the_row_taken_sends_nothing(subscribed):
    # What a second machine sees when the first inserted the row a moment before.
    SentReminder.objects.create(user=subscribed.user, date=MONDAY)
    assert sent_on([at(MONDAY, 7, 3, "Pacific/Auckland")]) == []


def test_a_late_sender_does_not_mail_at_night(subscribed):
    assert sent_on([at(MONDAY, 10, 30, "Pacific/Auckland")]) == []


def test_no_reminder_on_a_rest_day_or_while_paused(subscribed, plan):
    plan.rest_until = MONDAY
    plan.save(update_fields=["rest_until"])
    assert sent_on([at(MONDAY, 7, 5, "Pacific/Auckland")]) == []
    plan.rest_until = None
    plan.status, plan.paused_for = PlanStatus.PAUSED, "pain"
    plan.save(update_fields=["rest_until", "status", "paused_for"])
    assert sent_on([at(MONDAY + dt.timedelta(days=2), 7, 5, "Pacific/Auckland")]) == []


def test_no_reminder_once_the_days_session_is_done(subscribed, plan):
    with time_machine.travel(at(MONDAY, 6, 0, "Pacific/Auckland"), tick=False):
        session = start_session(plan)
        log_all_sets(session)
        finish_session(session)
    assert sent_on([at(MONDAY, 7, 5, "Pacific/Auckland")]) == []


def test_a_new_address_must_be_confirmed_again(user_client, subscribed):
    with time_machine.travel(at(MONDAY, 2), tick=False):
        sign_up_for_reminders(user_client, email="new@example.org")
    assert not Schedule.objects.get(pk=subscribed.pk).sends_reminders
    assert sent_on([at(MONDAY, 7, 5, "Pacific/Auckland")]) == []
    assert mail.outbox[-1].to == ["new@example.org"]


def test_an_old_confirmation_link_does_not_work(user_client, user, plan):
    with time_machine.travel(at(MONDAY, 1), tick=False):
        sign_up_for_reminders(user_client)
    path = LINK.search(mail.outbox[0].body).group(0).removeprefix("http://testserver")
    with time_machine.travel(at(MONDAY + dt.timedelta(days=4), 1), tick=False):
        response = Client().post(path)
    assert response.status_code == 400 and "Nothing was changed." in response.content.decode()
    assert not Schedule.objects.get(user=user).email_verified


def test_one_click_stops_them_without_a_login_or_a_csrf_token(subscribed):
    sent_on([at(MONDAY, 7, 1, "Pacific/Auckland")])
    stop = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = stop.removeprefix("http://127.0.0.1:8000")
    client = Client(enforce_csrf_checks=True)
    assert "Stop the reminders?" in client.get(path).content.decode()
    assert Schedule.objects.get(pk=subscribed.pk).reminders  # looking is not stopping
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Schedule.objects.get(pk=subscribed.pk).reminders
    assert sent_on([at(MONDAY + dt.timedelta(days=2), 7, 5, "Pacific/Auckland")]) == []


def test_a_forged_stop_link_answers_404(subscribed):
    assert Client().post(f"/reminders/stop/{subscribed.user_id}/").status_code == 404
    assert Schedule.objects.get(pk=subscribed.pk).reminders


def test_bad_input_changes_nothing(user_client, subscribed):
    response = user_client.post(
        SCHEDULE, {"days": [0], "time": "07:00", "reminders": "on", "reminder_email": ""}
    )
    assert response.status_code == 400
    assert "Enter the address to send the reminders to." in response.content.decode()
    again = Schedule.objects.get(pk=subscribed.pk)
    assert again.weekdays == [0, 2, 4] and again.sends_reminders


def test_the_command_needs_the_sites_address(settings):
    from django.core.management.base import CommandError

    settings.SITE_URL = ""
    with pytest.raises(CommandError, match="DJANGO_SITE_URL"):
        call_command("send_reminders")


def test_the_command_reports_what_it_sent(subscribed, capsys):
    with time_machine.travel(at(MONDAY, 7, 1, "Pacific/Auckland"), tick=False):
        call_command("send_reminders")
        call_command("send_reminders")
    out = capsys.readouterr().out
    assert "1 sent, 0 already sent" in out and "0 sent, 1 already sent" in out


def test_nobody_else_gets_my_reminder(subscribed):
    other = UserFactory()
    Schedule.objects.create(user=other, days=127, reminders=True, reminder_email="x@example.org")
    sent_on([at(MONDAY, 7, 1, "Pacific/Auckland")])
    assert [m.to for m in mail.outbox] == [["me@example.org"]]


def test_reminders_keep_the_persons_hour_across_a_change_to_summer_time(user_client, user, plan):
    Profile.objects.filter(user=user).update(time_zone="Europe/London")
    # Friday 27 March and Monday 30 March 2026: London moves its clocks on the 29th.
    with time_machine.travel(at(dt.date(2026, 3, 26), 12), tick=False):
        sign_up_for_reminders(user_client, days=(0, 4), time="07:00")
    link = LINK.search(mail.outbox.pop().body).group(0).removeprefix("http://testserver")
    with time_machine.travel(at(dt.date(2026, 3, 26), 13), tick=False):
        Client().post(link)
    start = at(dt.date(2026, 3, 27), 0, 0, "Europe/London")
    moments = [start + dt.timedelta(minutes=15 * n) for n in range(4 * 24 * 4)]
    sent = [m.astimezone(start.tzinfo) for m in sent_on(moments)]
    assert [(m.date().isoformat(), m.hour, m.minute) for m in sent] == [
        ("2026-03-27", 7, 0),
        ("2026-03-30", 7, 0),
    ]
    assert {m.utcoffset() for m in sent} == {dt.timedelta(0), dt.timedelta(hours=1)}


def test_saving_again_does_not_mail_the_address_again_at_once(user_client, user, plan):
    with time_machine.travel(at(MONDAY, 1), tick=False) as clock:
        sign_up_for_reminders(user_client)
        answer = sign_up_for_reminders(user_client)
        assert len(mail.outbox) == 1
        follow = user_client.get(answer["Location"]).content.decode()
        assert "You can ask for another in a few minutes." in follow
        clock.shift(dt.timedelta(minutes=11))
        sign_up_for_reminders(user_client)
        assert len(mail.outbox) == 2
    assert "Hello," in mail.outbox[0].body and user.username not in mail.outbox[0].body


def test_a_mail_server_that_refuses_leaves_the_days_saved(user_client, user, plan, monkeypatch):
    import smtplib

    from django.core.mail import EmailMessage

    def refused(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailMessage, "send", refused)
    answer = sign_up_for_reminders(user_client, days=(1,))
    assert answer.status_code == 302
    assert Schedule.objects.get(user=user).weekdays == [1]
    assert "could not be sent just now" in user_client.get(answer["Location"]).content.decode()


def test_the_stop_page_says_when_reminders_are_already_off(subscribed):
    sent_on([at(MONDAY, 7, 1, "Pacific/Auckland")])
    path = (
        mail.outbox[0]
        .extra_headers["List-Unsubscribe"]
        .strip("<>")
        .removeprefix("http://127.0.0.1:8000")
    )
    Client().post(path)
    body = Client().get(path).content.decode()
    assert "Reminders are off" in body and "Stop the reminders?" not in body
