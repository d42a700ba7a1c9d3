/* Sign-up: sends the browser's own time zone, so "one session a day" and rest days follow the
   person's days, not the server's. Without script the server's zone is used, editable later. */
(function () {
  "use strict";
  var field = document.querySelector("input[name=time_zone]");
  if (!field || field.value) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    // An old browser: the person can choose their zone on the time-zone page.
  }
})();
