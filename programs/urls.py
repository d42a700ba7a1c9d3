from django.urls import include, path

from .views import (
    accounts,
    care,
    history,
    library,
    ops,
    player,
    pwa,
    schedule,
    screening,
    summary,
)

library_urls = [
    path("", library.home, name="programs-home"),
    path("exercises/", library.exercise_list, name="programs-exercises"),
    path("exercises/<slug:slug>/", library.exercise_detail, name="programs-exercise"),
    path("sw.js", pwa.service_worker, name="programs-service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="programs-manifest"),
]

account_urls = [
    path("signup/", accounts.signup, name="signup"),
    path("login/", accounts.login, name="login"),
    path("password_reset/", accounts.password_reset, name="password_reset"),
    path("time-zone/", care.time_zone, name="programs-time-zone"),
    path("", include("django.contrib.auth.urls")),
]

plan_urls = [
    path("screening/", screening.screening, name="programs-screening"),
    path("screening/<int:screening_id>/", screening.result, name="programs-screening-result"),
    path("dashboard/", screening.dashboard, name="programs-dashboard"),
    path("plan/", screening.plan, name="programs-plan"),
    path("plan/end/", care.end_plan, name="programs-plan-end"),
    path("care/clearance/", care.clearance, name="programs-clearance"),
    path("care/flare-up/", care.flare_up, name="programs-flare-up"),
    path("care/flare-up/over/", care.flare_up_over, name="programs-flare-up-over"),
    path("schedule/", schedule.schedule, name="programs-schedule"),
    path("schedule/new-address/", schedule.new_feed_address, name="programs-schedule-new-address"),
    path("calendar/<str:token>.ics", schedule.calendar_feed, name="programs-calendar-feed"),
    path(
        "reminders/confirm/<str:token>/", schedule.confirm_email, name="programs-reminders-confirm"
    ),
    path("reminders/stop/<str:token>/", schedule.stop_reminders, name="programs-reminders-stop"),
    path("summary/", summary.summary, name="programs-summary"),
    path("summary/summary.pdf", summary.summary_pdf, name="programs-summary-pdf"),
    path("summary/share/", summary.share, name="programs-summary-share"),
    path("summary/share/<int:share_id>/revoke/", summary.revoke, name="programs-summary-revoke"),
    path("shared/<str:token>/", summary.shared, name="programs-shared-summary"),
    path("shared/<str:token>/summary.pdf", summary.shared_pdf, name="programs-shared-summary-pdf"),
]

session_urls = [
    path("start/", player.start, name="programs-start"),
    path("<int:session_id>/", player.player, name="programs-player"),
    path("<int:session_id>/sets/", player.log_set, name="programs-log-set"),
    path("<int:session_id>/sets/<int:set_id>/", player.edit_set, name="programs-edit-set"),
    path(
        "<int:session_id>/sets/<int:set_id>/delete/",
        player.delete_set,
        name="programs-delete-set",
    ),
    path(
        "<int:session_id>/deleted/<int:deleted_id>/undo/",
        player.undo_delete,
        name="programs-undo-delete",
    ),
    path("<int:session_id>/items/<int:item_id>/skip/", player.skip, name="programs-skip"),
    path("<int:session_id>/finish/", player.finish, name="programs-finish"),
]

history_urls = [
    path("", history.history, name="programs-history"),
    path("sessions/<int:session_id>/", history.session_detail, name="programs-session"),
    path("exercises/<slug:slug>/", history.exercise_history, name="programs-exercise-history"),
    path("self-test/", history.self_test, name="programs-self-test"),
    path("export.csv", history.export_csv, name="programs-export-csv"),
    path("export.json", history.export_json, name="programs-export-json"),
    path("delete-account/", history.delete_account, name="programs-delete-account"),
]

urlpatterns = [
    *library_urls,
    path("accounts/", include(account_urls)),
    *plan_urls,
    path("sessions/", include(session_urls)),
    path("history/", include(history_urls)),
    path("healthz", ops.healthz, name="programs-healthz"),
    # Answer 404 unless BENCH_BARE_VIEW=1 (make bench).
    path("bench/bare", ops.bench_bare, name="programs-bench-bare"),
    path("bench/insert", ops.bench_insert, name="programs-bench-insert"),
]
