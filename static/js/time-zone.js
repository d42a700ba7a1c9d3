/* Where the person's days begin and end. At sign-up it sends the browser's own time zone, so
   "one session a day" and rest days follow the person's days, not the server's. On the
   dashboard it offers to switch when this device's zone differs from the plan's, and never
   switches without a tap. Without script the server's zone is used, editable on its page. */
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return; // An old browser: the person can choose their zone on the time-zone page.
  }
  if (!zone) return;

  var signup = document.querySelector("form[action$='/signup/'] input[name=time_zone]");
  if (signup && !signup.value) signup.value = zone;

  var check = document.querySelector("[data-zone-check]");
  if (check && check.dataset.zone !== zone) {
    check.querySelector("input[name=time_zone]").value = zone;
    check.querySelector("[data-zone-name]").textContent = zone.replace(/_/g, " ");
    check.hidden = false;
  }
})();
