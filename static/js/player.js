/* The guided session player: rep counter, hold and rest timers, cues, and saving that survives
 * a lost connection. No framework: htmx swaps the #player region and htmx.onLoad mounts it again.
 *
 * Timers count down to a fixed end time on the wall clock (Date.now()), so a tab the browser
 * throttles in the background shows the right time when it wakes instead of drifting.
 * data-ms-per-second on #player is 1000 in production; browser tests shorten it.
 */
(function () {
  "use strict";

  var SPEECH_KEY = "hamstrings.player.speech";
  var PENDING_KEY = "hamstrings.player.pending.";
  var GET_READY = 3; // seconds of "get ready" before each hold
  var RING = 2 * Math.PI * 54; // circumference of the ring drawn in the template

  var current = null; // the mounted player, if the page has one
  var audio = null; // made on the first tap: browsers only allow sound after a gesture
  var wakeLock = null;
  var failedForm = null; // the form whose post did not get through, to send again

  // --- sound, speech, announcements, wake lock -----------------------------------------------

  function ensureAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try { audio = new Context(); } catch (e) { audio = null; }
    }
    if (audio && audio.state === "suspended") audio.resume();
  }

  function beep(frequency, ms) {
    if (!audio) return;
    var now = audio.currentTime;
    var osc = audio.createOscillator();
    var gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.25, now + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + ms / 1000);
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start(now);
    osc.stop(now + ms / 1000 + 0.02);
  }

  function speechOn() {
    try { return window.localStorage.getItem(SPEECH_KEY) === "1"; } catch (e) { return false; }
  }

  function say(text) {
    if (!text || !speechOn() || !("speechSynthesis" in window)) return;
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* no voice available: the screen still shows everything */ }
  }

  // Polite and only at milestones: a screen reader reading every second would drown the person.
  function announce(text) {
    var live = document.getElementById("player-live");
    if (!live || !text) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 60);
  }

  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    if (wakeLock && !wakeLock.released) return;
    navigator.wakeLock.request("screen").then(function (lock) { wakeLock = lock; }, function () {
      /* refused (battery saver, a policy): the session works without it */
    });
  }

  // The browser drops the wake lock whenever the tab is hidden; take it again on return.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !current) return;
    keepAwake();
    current.refresh();
  });

  // --- a countdown to a fixed end time ------------------------------------------------------

  function Countdown(ms, msPerSecond, onTick, onDone) {
    var remaining = ms;
    var endAt = null;
    var timer = null;
    var step = Math.max(10, Math.min(200, msPerSecond / 5));

    function left() { return endAt === null ? remaining : Math.max(0, endAt - Date.now()); }

    function loop() {
      var ms = left();
      onTick(ms);
      if (ms <= 0) {
        endAt = null;
        remaining = 0;
        onDone();
        return;
      }
      timer = window.setTimeout(loop, Math.min(step, ms));
    }

    return {
      start: function () {
        if (endAt !== null) return;
        endAt = Date.now() + remaining;
        loop();
      },
      pause: function () {
        if (endAt === null) return;
        remaining = left();
        endAt = null;
        window.clearTimeout(timer);
      },
      stop: function () {
        remaining = left();
        endAt = null;
        window.clearTimeout(timer);
      },
      running: function () { return endAt !== null; },
      left: left,
      tick: function () { if (endAt !== null) { window.clearTimeout(timer); loop(); } },
    };
  }

  function clock(seconds) {
    if (seconds < 60) return String(seconds);
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  // --- one mounted player -------------------------------------------------------------------

  function mount(root) {
    var ms = parseInt(root.dataset.msPerSecond, 10) || 1000;
    var sessionId = root.dataset.session;
    var work = root.querySelector("[data-work]");
    var form = root.querySelector("[data-set-form]");
    var restBox = root.querySelector("[data-rest]");
    var timers = [];
    var player = { root: root, refresh: refresh, space: space, log: log, destroy: destroy };

    setUpSpeechToggle(root);
    setUpRetry(root);
    restorePending(root, form, sessionId);
    if (root.dataset.announce) announce(root.dataset.announce);
    if (!work || !form) return player;

    work.hidden = false;
    keepAwake();

    var mode = work.dataset.mode;
    var targetReps = parseInt(work.dataset.reps, 10) || 1;
    var holdSeconds = parseInt(work.dataset.hold, 10) || 0;
    var timed = work.dataset.timed === "1";
    var repsInput = form.querySelector("[data-reps-input]") || form.querySelector("[name=reps]");
    var holdInput = form.querySelector("[data-hold-input]") || form.querySelector("[name=hold_seconds]");

    if (work.dataset.switchSides === "1") {
      say("Switch sides. Now the right side.");
      announce("Switch sides. Now the right side.");
    }

    // --- rest between sets
    var rest = null;
    if (restBox) {
      var restMs = parseInt(restBox.dataset.restMs, 10) || 0;
      var restSeconds = restBox.querySelector("[data-rest-seconds]");
      var skipRest = restBox.querySelector("[data-skip-rest]");
      var lastRestSecond = null;
      skipRest.hidden = false;
      rest = Countdown(restMs, ms, function (left) {
        var s = Math.ceil(left / ms);
        if (s !== lastRestSecond) {
          lastRestSecond = s;
          restSeconds.textContent = clock(s);
          if (s > 0 && s <= 3) beep(660, 90);
        }
      }, function () {
        beep(990, 300);
        restBox.hidden = true;
        say("Rest over. Next set.");
        announce("Rest over. Ready for the next set.");
      });
      timers.push(rest);
      skipRest.addEventListener("click", endRest);
      announce("Rest " + Math.ceil(restMs / ms) + " seconds. Skip it whenever you are ready.");
      rest.start();
    }

    function endRest() {
      if (!rest) return;
      rest.stop();
      if (restBox) restBox.hidden = true;
      rest = null;
    }

    // --- rep counter
    var count = 0;
    var repButton = work.querySelector("[data-rep-button]");
    var repCount = work.querySelector("[data-rep-count]");
    var repUndo = work.querySelector("[data-rep-undo]");
    if (repButton) {
      repsInput.value = "0";
      repButton.addEventListener("click", countRep);
      repUndo.addEventListener("click", function () {
        if (count > 0) setCount(count - 1);
      });
    }

    function setCount(n) {
      count = n;
      if (repCount) repCount.textContent = String(n);
      repsInput.value = String(n);
    }

    function countRep() {
      ensureAudio();
      endRest();
      setCount(count + 1);
      beep(count >= targetReps ? 990 : 740, 80);
      if (count === targetReps) {
        say(count + " reps. Log the set.");
        announce(count + " of " + targetReps + " reps. Press Enter or Log to save the set.");
      }
    }

    // --- hold timer (each rep runs its own hold for reps-with-hold)
    var startButton = work.querySelector("[data-start]");
    var pauseButton = work.querySelector("[data-pause]");
    var endButton = work.querySelector("[data-end]");
    var phaseText = work.querySelector("[data-phase]");
    var secondsText = work.querySelector("[data-seconds]");
    var ring = work.querySelector("[data-ring]");
    var repNow = work.querySelector("[data-rep-now]");
    var phase = "idle"; // idle, ready, hold, done
    var countdown = null;
    var paused = false;
    var holds = []; // seconds achieved per rep

    if (startButton) {
      ring.setAttribute("stroke-dasharray", RING.toFixed(2));
      showRing(1);
      secondsText.textContent = clock(holdSeconds);
      startButton.addEventListener("click", startOrPause);
      pauseButton.addEventListener("click", startOrPause);
      endButton.addEventListener("click", endEarly);
    }

    function showRing(fraction) {
      ring.setAttribute("stroke-dashoffset", (RING * (1 - fraction)).toFixed(2));
    }

    function startOrPause() {
      ensureAudio();
      keepAwake();
      if (phase === "idle") {
        endRest();
        getReady();
      } else if (phase === "ready" || phase === "hold") {
        if (paused) {
          paused = false;
          countdown.start();
          pauseButton.textContent = "Pause";
          phaseText.textContent = phase === "hold" ? holdLabel() : "Get ready";
          announce("Resumed.");
        } else {
          paused = true;
          countdown.pause();
          pauseButton.textContent = "Resume";
          phaseText.textContent = "Paused";
          announce("Paused.");
        }
      }
    }

    function holdLabel() { return timed ? "Keep going" : "Hold"; }

    function controls(running) {
      startButton.hidden = running;
      pauseButton.hidden = !running;
      endButton.hidden = !running;
    }

    function getReady() {
      phase = "ready";
      controls(true);
      var rep = holds.length + 1;
      phaseText.textContent = holds.length ? "Relax, then rep " + rep : "Get ready";
      if (repNow) repNow.textContent = String(rep);
      say(holds.length ? "Relax. Rep " + rep + " next." : "Get ready.");
      var last = null;
      countdown = Countdown(GET_READY * ms, ms, function (left) {
        var s = Math.ceil(left / ms);
        if (s !== last) { last = s; secondsText.textContent = String(s); }
        showRing(left / (GET_READY * ms));
      }, hold);
      timers.push(countdown);
      countdown.start();
    }

    function hold() {
      phase = "hold";
      beep(880, 150);
      phaseText.textContent = holdLabel();
      say(timed ? "Go." : (work.dataset.cue || "Hold."));
      announce((timed ? "Go: " : "Hold: ") + clock(holdSeconds) + (holdSeconds < 60 ? " seconds." : "."));
      var last = null;
      var halfway = false;
      var tenLeft = holdSeconds < 20; // only worth saying on longer holds
      countdown = Countdown(holdSeconds * ms, ms, function (left) {
        var s = Math.ceil(left / ms);
        showRing(left / (holdSeconds * ms));
        if (s === last) return;
        last = s;
        secondsText.textContent = clock(s);
        if (s > 0 && s <= 3) beep(660, 90);
        if (!halfway && holdSeconds >= 10 && s <= holdSeconds / 2) {
          halfway = true;
          announce("Halfway.");
        }
        if (!tenLeft && s === 10) {
          tenLeft = true;
          announce("10 seconds left.");
          say("10 seconds.");
        }
      }, function () { repDone(holdSeconds, false); });
      timers.push(countdown);
      countdown.start();
    }

    // The achieved time is what gets logged, not the planned one.
    function endEarly() {
      if (phase === "ready") {
        countdown.stop();
        finishSet();
        return;
      }
      if (phase !== "hold") return;
      var heldMs = holdSeconds * ms - countdown.left();
      countdown.stop();
      repDone(Math.floor(heldMs / ms), true);
    }

    function repDone(achieved, early) {
      holds.push(achieved);
      beep(990, 350);
      if (mode === "reps_hold" && !early && holds.length < targetReps) {
        announce("Rep " + holds.length + " of " + targetReps + " done.");
        getReady();
        return;
      }
      finishSet();
    }

    function finishSet() {
      phase = "done";
      controls(false);
      startButton.hidden = true;
      showRing(0);
      var done = holds.filter(function (s) { return s > 0; });
      if (!done.length) {
        // Ended before any hold: nothing to log, start again.
        phase = "idle";
        holds = [];
        startButton.hidden = false;
        phaseText.textContent = "Ready";
        secondsText.textContent = clock(holdSeconds);
        showRing(1);
        return;
      }
      var total = done.reduce(function (a, b) { return a + b; }, 0);
      holdInput.value = String(Math.round(total / done.length));
      if (mode === "reps_hold") repsInput.value = String(done.length);
      phaseText.textContent = "Done";
      secondsText.textContent = "✓";
      say("Done.");
      // Saved the moment it is done; a lost answer is resent with the same token.
      log();
    }

    // --- keys and logging
    function space() {
      if (repButton) countRep();
      else if (startButton && phase !== "done") startOrPause();
    }

    function log() {
      if (!form || !form.isConnected) return;
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    }

    function refresh() {
      timers.forEach(function (t) { t.tick(); });
    }

    function destroy() {
      timers.forEach(function (t) { t.stop(); });
    }

    return player;
  }

  // --- spoken cues toggle ---------------------------------------------------------------------

  function setUpSpeechToggle(root) {
    var toggle = root.querySelector("[data-speech-toggle]");
    if (!toggle || !("speechSynthesis" in window)) return;
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", speechOn() ? "true" : "false");
    toggle.addEventListener("click", function () {
      var on = !speechOn();
      try { window.localStorage.setItem(SPEECH_KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      if (on) say("Spoken cues on.");
    });
  }

  // --- saving that loses nothing --------------------------------------------------------------

  function setUpRetry(root) {
    var retry = root.querySelector("[data-retry]");
    if (retry) retry.addEventListener("click", resend);
  }

  function resend() {
    if (failedForm && failedForm.isConnected && typeof failedForm.requestSubmit === "function") {
      failedForm.requestSubmit();
    }
  }

  function showSaveError(form, text) {
    var root = form.closest("[data-player]");
    var box = root && root.querySelector("[data-save-error]");
    if (!box) return;
    box.querySelector("[data-save-error-text]").textContent = text;
    box.hidden = false;
    failedForm = form;
  }

  function pendingFrom(form) {
    var data = {};
    ["item", "set_number", "side", "client_token", "reps", "hold_seconds"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) data[name] = field.value;
    });
    return data;
  }

  function slotOf(data) { return [data.item, data.set_number, data.side].join("/"); }

  // A set that could not be sent is kept in the browser; if the page comes back (a reload, a
  // reopened tab) still waiting for that same set, it is filled in and sent again with its token.
  function restorePending(root, form, sessionId) {
    var key = PENDING_KEY + sessionId;
    var raw = null;
    try { raw = window.localStorage.getItem(key); } catch (e) { return; }
    if (!raw) return;
    var pending;
    try { pending = JSON.parse(raw); } catch (e) { pending = null; }
    if (!pending || !form || slotOf(pending) !== slotOf(pendingFrom(form))) {
      // The server already has it (the slot moved on) or it is unreadable.
      try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
      return;
    }
    Object.keys(pending).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) field.value = pending[name];
    });
    showSaveError(form, "A set you did earlier was not saved yet. Sending it now.");
    if (navigator.onLine !== false) window.setTimeout(resend, 0);
  }

  function isSetForm(elt) { return elt && elt.matches && elt.matches("[data-set-form]"); }

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (!form || !form.closest) return;
    form = form.closest("form") || form;
    if (isSetForm(form)) {
      var root = form.closest("[data-player]");
      try {
        window.localStorage.setItem(PENDING_KEY + root.dataset.session, JSON.stringify(pendingFrom(form)));
      } catch (e) { /* storage full or blocked: the form on screen still holds the set */ }
    }
    showSaveError(form, "No connection: this is not saved yet. It is kept here and will be sent again when you are back online, or press Try again.");
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (!form || !form.closest) return;
    form = form.closest("form") || form;
    showSaveError(form, "The server could not save this just now. Nothing is lost: press Try again.");
  });

  // A 400 or 422 carries the player with a message in it: show it instead of treating it as an
  // error htmx leaves unswapped.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Any answer at all means the server has decided about this set: nothing left to resend.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (!event.detail.xhr || !event.detail.xhr.status || !isSetForm(elt)) return;
    failedForm = null;
    var root = elt.closest("[data-player]");
    try { window.localStorage.removeItem(PENDING_KEY + root.dataset.session); } catch (e) { /* ignore */ }
  });

  window.addEventListener("online", resend);

  // --- keyboard -------------------------------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (!current || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    var inWork = target.closest && target.closest("[data-work]");
    // Fields, links and other buttons keep their own keys; the player's own buttons pass Enter on.
    if (!inWork && target.closest && target.closest("input, textarea, select, button, a, summary, [contenteditable]")) return;
    if (event.key === "Enter") {
      event.preventDefault();
      current.log();
    } else if ((event.key === " " || event.key === "Spacebar") && !inWork) {
      event.preventDefault();
      current.space();
    }
  });

  // --- mount on load and after every swap -----------------------------------------------------

  function init(elt) {
    var root = null;
    if (elt.matches && elt.matches("[data-player]")) root = elt;
    else if (elt.querySelector) root = elt.querySelector("[data-player]");
    if (!root || (current && current.root === root)) return;
    if (current) current.destroy();
    current = mount(root);
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () { init(document.body); });
  }
})();
