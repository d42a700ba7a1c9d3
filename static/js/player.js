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
  var SAVED_KEY = "hamstrings.player.saved."; // the set last saved, to catch a page drawn before it
  var SAVED_FRESH_MS = 2 * 60 * 1000;
  var GET_READY = 3; // seconds of "get ready" before each hold
  var RING = 2 * Math.PI * 54; // circumference of the ring drawn in the template

  var current = null; // the mounted player, if the page has one
  var audio = null; // made on the first tap: browsers only allow sound after a gesture
  var wakeLock = null;
  var retry = null; // sends again the post that did not get through
  var DOUBLE_TAP_MS = 400;
  var lastSetSubmit = 0; // when a person last sent a set, to tell a double tap from a new set
  var quiet = false; // true while the script itself sends a set

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

  // A short buzz where the device has one (most phones; never iOS Safari): the end of a hold or
  // a rest is felt as well as heard.
  function buzz(pattern) {
    if (!("vibrate" in navigator)) return;
    try { navigator.vibrate(pattern); } catch (e) { /* not allowed without a gesture yet */ }
  }

  // Touch screens have no keyboard to hint at.
  if ("ontouchstart" in window || navigator.maxTouchPoints > 0) {
    document.documentElement.classList.add("touch");
  }

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

  // fromSwap: htmx drew this set in place of the last one, under a finger that may still be
  // tapping. For a moment its Start and its rep counter ignore taps, so a stray second tap on
  // End now or Log cannot start a hold, or count a rep, that nobody is doing.
  var SETTLE_MS = 900;

  function mount(root, fromSwap) {
    var ms = parseInt(root.dataset.msPerSecond, 10) || 1000;
    var armedAt = fromSwap ? Date.now() + SETTLE_MS : 0;
    function armed() { return Date.now() >= armedAt; }
    var work = root.querySelector("[data-work]");
    var form = root.querySelector("[data-set-form]");
    var restBox = root.querySelector("[data-rest]");
    var timers = [];
    var player = { root: root, refresh: refresh, space: space, log: log, destroy: destroy };

    // Said once, together: a second message in the live region would cut off the first. The
    // exercise's card carries what to say when there is one (it may have come back alone).
    var card = root.querySelector("[data-work-card]");
    var said = (card || root).dataset.announce;
    var notes = said ? [said] : [];
    setUpSpeechToggle(root);
    setUpRetry(root);
    var restored = restorePending(root, form);
    if (!work || !form) {
      announce(notes.join(" "));
      return player;
    }
    if (!fromSwap && !restored && savedJustNow(root, form)) return player;

    keepAwake();
    setUpTypeIn(card, form);

    var mode = work.dataset.mode;
    var targetReps = parseInt(work.dataset.reps, 10) || 1;
    var holdSeconds = parseInt(work.dataset.hold, 10) || 0;
    var timed = work.dataset.timed === "1";
    var repsInput = form.querySelector("[data-reps-input]") || form.querySelector("[name=reps]");
    var holdInput = form.querySelector("[data-hold-input]") || form.querySelector("[name=hold_seconds]");

    if (work.dataset.switchSides === "1") {
      say("Switch sides. Now the right side.");
      notes.push("Switch sides. Now the right side.");
    }

    // --- rest between sets
    var rest = null;
    if (restBox) {
      var restMs = parseInt(restBox.dataset.restMs, 10) || 0;
      var restSeconds = restBox.querySelector("[data-rest-seconds]");
      var skipRest = restBox.querySelector("[data-skip-rest]");
      var lastRestSecond = null;
      rest = Countdown(restMs, ms, function (left) {
        var s = Math.ceil(left / ms);
        if (s !== lastRestSecond) {
          lastRestSecond = s;
          restSeconds.textContent = clock(s);
          if (s > 0 && s <= 3) beep(660, 90);
        }
      }, function () {
        beep(990, 300);
        buzz([120, 80, 120]);
        restBox.hidden = true;
        say("Rest over. Next set.");
        announce("Rest over. Ready for the next set.");
      });
      timers.push(rest);
      skipRest.addEventListener("click", endRest);
      notes.push("Rest " + Math.ceil(restMs / ms) + " seconds. Skip it whenever you are ready.");
      rest.start();
    }
    announce(notes.join(" "));

    function endRest() {
      if (!rest) return;
      rest.stop();
      if (restBox) restBox.hidden = true;
      rest = null;
    }

    // The step figure (figures.css) moves into the end position under .is-holding and goes
    // there and back under .is-repeating.
    var figure = root.querySelector("[data-step-figure]");
    function moveFigure(state) {
      if (!figure) return;
      figure.classList.toggle("is-holding", state === "hold");
      figure.classList.toggle("is-repeating", state === "repeat");
    }

    // --- rep counter
    var count = 0;
    var repButton = work.querySelector("[data-rep-button]");
    var repCount = work.querySelector("[data-rep-count]");
    var repUndo = card.querySelector("[data-rep-undo]");
    var logButton = form.querySelector("[data-log]");
    if (repButton) {
      // Counting starts from nothing, unless the form holds what the person did already: sent
      // back by the server with an error, or a set waiting to be resent after a reload.
      if (restored || form.querySelector(".errorlist")) count = parseInt(repsInput.value, 10) || 0;
      setCount(count);
      repButton.addEventListener("click", countRep);
      repUndo.addEventListener("click", function () {
        if (count > 0) setCount(count - 1);
      });
      // Typed in: the big counter follows what was typed.
      repsInput.addEventListener("input", function () {
        var typed = parseInt(repsInput.value, 10);
        setCount(/^[0-9]+$/.test(repsInput.value) ? typed : 0, true);
      });
    }

    function setCount(n, typed) {
      count = n;
      if (repCount) repCount.textContent = String(n);
      if (!typed) repsInput.value = String(n);
      // Nought reps is not a set: a stray tap on Log right after the last one saves nothing.
      if (logButton) logButton.disabled = n <= 0;
    }

    // byKey: a key press is meant; only a tap can be a stray one from the last set.
    function countRep(byKey) {
      if (byKey !== true && !armed()) return;
      lastSetSubmit = 0; // counting in between: the next Log is meant, not a double tap
      ensureAudio();
      endRest();
      setCount(count + 1);
      beep(count >= targetReps ? 990 : 740, 80);
      moveFigure(count < targetReps ? "repeat" : null);
      if (count === targetReps) {
        say(count + " reps. Log the set.");
        announce(count + " of " + targetReps + " reps. Press Enter or Log to save the set.");
      }
    }

    // --- hold timer (each rep runs its own hold for reps-with-hold)
    var startButton = card.querySelector("[data-start]");
    var pauseButton = card.querySelector("[data-pause]");
    var endButton = card.querySelector("[data-end]");
    var phaseText = work.querySelector("[data-phase]");
    var secondsText = work.querySelector("[data-seconds]");
    var ring = work.querySelector("[data-ring]");
    var repNow = work.querySelector("[data-rep-now]");
    var unitText = work.querySelector("[data-unit]");
    var phase = "idle"; // idle, ready, hold, done
    var countdown = null;
    var paused = false;
    var holds = []; // seconds achieved per hold
    // A rep may hold several shapes in turn (the spine arch: round, then arch), each for the hold.
    var shapes = (work.dataset.phases || "").split("|").filter(Boolean);
    var perRep = Math.max(1, shapes.length);
    var shapeNow = work.querySelector("[data-rep-phase]");

    function shape() { return shapes.length ? shapes[holds.length % perRep] : ""; }
    // On the figure, which htmx keeps on screen from one set of the exercise to the next.
    function cue() {
      var figure = root.querySelector("[data-step-figure]");
      return figure ? figure.dataset.cue : "";
    }
    function shapeName(text) { return text.split(":")[0]; }
    function holdText() { return shape() ? shapeName(shape()) : holdLabel(); }

    if (startButton) {
      ring.setAttribute("stroke-dasharray", RING.toFixed(2));
      showRing(1);
      showSeconds(holdSeconds);
      startButton.addEventListener("click", startOrPause);
      pauseButton.addEventListener("click", startOrPause);
      endButton.addEventListener("click", endEarly);
    }

    // Minutes and seconds read "2:30" and need no unit; short times say "seconds".
    function showSeconds(s) {
      secondsText.textContent = clock(s);
      unitText.textContent = s >= 60 ? "" : "seconds";
    }

    function showRing(fraction) {
      ring.setAttribute("stroke-dashoffset", (RING * (1 - fraction)).toFixed(2));
    }

    function startOrPause(byKey) {
      if (byKey !== true && phase === "idle" && !armed()) return;
      lastSetSubmit = 0;
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
          pauseButton.classList.add("button-secondary");
          phaseText.textContent = phase === "hold" ? holdText() : "Get ready";
          announce("Resumed.");
        } else {
          paused = true;
          countdown.pause();
          pauseButton.textContent = "Resume";
          pauseButton.classList.remove("button-secondary"); // resuming is the next thing to do
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
      if (paused) {
        // Paused, then ended before any hold: a new start runs, so the button reads Pause again.
        paused = false;
        pauseButton.textContent = "Pause";
        pauseButton.classList.add("button-secondary");
      }
      controls(true);
      var rep = Math.floor(holds.length / perRep) + 1;
      var next = shape();
      if (repNow) repNow.textContent = String(rep);
      if (shapeNow) shapeNow.textContent = next ? " · " + shapeName(next) : "";
      if (next && holds.length) {
        phaseText.textContent = "Next: " + shapeName(next);
        say("Next, " + next + ".");
      } else {
        phaseText.textContent = holds.length ? "Relax, then rep " + rep : "Get ready";
        say(holds.length ? "Relax. Rep " + rep + " next." : "Get ready.");
      }
      var last = null;
      countdown = Countdown(GET_READY * ms, ms, function (left) {
        var s = Math.ceil(left / ms);
        if (s !== last) { last = s; showSeconds(s); }
        showRing(left / (GET_READY * ms));
      }, hold);
      timers.push(countdown);
      countdown.start();
    }

    function hold() {
      phase = "hold";
      moveFigure("hold");
      beep(880, 150);
      phaseText.textContent = holdText();
      say(timed ? "Go." : (shape() || cue() || "Hold."));
      announce((timed ? "Go: " : "Hold: ") + clock(holdSeconds) + (holdSeconds < 60 ? " seconds." : "."));
      var last = null;
      var halfway = false;
      var tenLeft = holdSeconds < 20; // only worth saying on longer holds
      countdown = Countdown(holdSeconds * ms, ms, function (left) {
        var s = Math.ceil(left / ms);
        showRing(left / (holdSeconds * ms));
        if (s === last) return;
        last = s;
        showSeconds(s);
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
      moveFigure(null);
      beep(990, 350);
      buzz(200);
      if (mode === "reps_hold" && !early && holds.length < targetReps * perRep) {
        if (holds.length % perRep === 0) {
          announce("Rep " + holds.length / perRep + " of " + targetReps + " done.");
        }
        getReady();
        return;
      }
      finishSet(early);
    }

    function finishSet(early) {
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
        showSeconds(holdSeconds);
        showRing(1);
        return;
      }
      // A rep counts once all its shapes were held in full: one ended early is not a rep, and
      // its part-hold does not water down the average of the ones that were.
      var whole = early && mode === "reps_hold" ? holds.length - 1 : holds.length;
      var fullReps = Math.floor(whole / perRep);
      if (mode === "reps_hold") done = holds.slice(0, fullReps * perRep);
      var total = done.reduce(function (a, b) { return a + b; }, 0);
      if (mode === "reps_hold" && fullReps < 1) {
        // Ended inside the first rep: not a set yet. Say so and start again.
        phase = "idle";
        holds = [];
        startButton.hidden = false;
        phaseText.textContent = "Not a whole rep yet";
        showSeconds(holdSeconds);
        showRing(1);
        announce("Not a whole rep yet, so nothing was logged. Start again when ready.");
        return;
      }
      holdInput.value = String(Math.round(total / Math.max(1, done.length)));
      if (mode === "reps_hold") repsInput.value = String(fullReps);
      phaseText.textContent = "Done";
      secondsText.textContent = "✓";
      unitText.textContent = "saving";
      say("Done.");
      // Saved the moment it is done; a lost answer is resent with the same token.
      log();
    }

    // --- keys and logging
    function space() {
      if (repButton) countRep(true);
      else if (startButton && phase !== "done") startOrPause(true);
    }

    // byPerson: the Enter key; otherwise the timer finished the set and sends it itself.
    function log(byPerson) {
      if (!form || !form.isConnected) return;
      // Enter before anything was timed: open the boxes, so the browser can say what is missing.
      if (byPerson && !form.checkValidity() && card) card.classList.add("is-typing");
      if (byPerson) form.requestSubmit();
      else sendQuietly(form);
    }

    function refresh() {
      timers.forEach(function (t) { t.tick(); });
    }

    function destroy() {
      timers.forEach(function (t) { t.stop(); });
    }

    return player;
  }

  // --- typing a set in instead -------------------------------------------------------------

  function setUpTypeIn(card, form) {
    var button = form.querySelector("[data-type-in]");
    if (!button || !card) return;
    if (form.classList.contains("has-errors")) card.classList.add("is-typing");
    button.addEventListener("click", function () {
      card.classList.add("is-typing");
      button.setAttribute("aria-expanded", "true");
      var first = form.querySelector("[data-reps-input], [data-hold-input]");
      if (first) first.focus();
    });
  }

  // --- after a swap: the next thing to do is on screen ------------------------------------
  //
  // After a set, a skip or a move to another exercise the page goes back to its top, where the
  // whole set fits, and the next action takes the focus (seen as a ring by keyboard users only).
  // After a change in the list of logged sets it stays where the person was reading.

  function primaryAction(root) {
    return root.querySelector("[data-start]:not([hidden])") ||
      root.querySelector("[data-rep-button]") ||
      root.querySelector("[data-next-action]") ||
      root.querySelector(".finish-form input:not([type=hidden])");
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    var source = config && config.elt;
    var root = document.querySelector("[data-player]");
    if (!root || !source || !source.closest) return;
    if (source.closest("[data-logged]")) {
      // Just deleted: Undo takes the focus, where the deleted set was.
      var deleted = /\/delete\/$/.test(config.path || "");
      var undo = deleted && root.querySelector("[data-undo]");
      // After an undo (or a change) the list's heading, so focus does not fall out of the page.
      var heading = root.querySelector("#logged-heading");
      if (undo) undo.focus();
      else if (heading) heading.focus({ preventScroll: true });
      return;
    }
    window.scrollTo(0, 0);
    var next = primaryAction(root);
    if (next) next.focus({ preventScroll: true });
  });

  // --- a page drawn before the set it shows was saved -----------------------------------------
  //
  // A reload at the moment a resent set reaches the server can draw the page before that set is
  // stored, and offer it again. The slot saved last is remembered for a little while; a page
  // asking for that same slot is fetched once more instead of being believed.

  function savedKey(root) { return SAVED_KEY + root.dataset.session; }

  function rememberSaved(form) {
    try {
      window.localStorage.setItem(SAVED_KEY + form.dataset.session,
        JSON.stringify({ slot: slotOf(pendingFrom(form)), at: Date.now() }));
    } catch (e) { /* storage blocked: nothing to remember with */ }
  }

  function savedJustNow(root, form) {
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(savedKey(root)) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.slot !== slotOf(pendingFrom(form))) return false;
    try { window.localStorage.removeItem(savedKey(root)); } catch (e) { /* ignore */ }
    if (Date.now() - saved.at > SAVED_FRESH_MS || !window.htmx) return false;
    window.htmx.ajax("GET", window.location.href, { target: "#player", swap: "outerHTML" });
    return true;
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
  //
  // A post that gets no answer leaves its form on screen, token and all, with a message and a
  // Try again button; coming back online sends it again by itself. A set is also kept in
  // localStorage until the server answers, so a reload or a reopened tab sends it too. The
  // server stores a token once, so sending again never makes a second row.

  function setUpRetry(root) {
    var button = root.querySelector("[data-retry]");
    if (button) button.addEventListener("click", resend);
  }

  function resend() {
    if (retry) retry();
  }

  function showSaveError(root, text, again) {
    var box = root && root.querySelector("[data-save-error]");
    retry = again;
    if (!box) return;
    box.querySelector("[data-save-error-text]").textContent = text;
    box.hidden = false;
  }

  function pendingKey(root) { return PENDING_KEY + root.dataset.session; }

  // The session a set form belongs to, read from the form itself: once its card is swapped out
  // the form is no longer inside the player.
  function formKey(form) { return PENDING_KEY + form.dataset.session; }

  function pendingFrom(form) {
    var data = {};
    ["item", "set_number", "side", "client_token", "reps", "hold_seconds"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) data[name] = field.value;
    });
    return data;
  }

  function slotOf(data) { return [data.item, data.set_number, data.side].join("/"); }

  function submitter(form) {
    return function () { if (form.isConnected) sendQuietly(form); };
  }

  // A fast double tap on "Log set" can land its second tap on the next set's button, swapped in
  // by then, and log that set too. A person's second submit this soon after one is dropped;
  // the script's own sends (timer, retry) are let through.

  function sendQuietly(form) {
    quiet = true;
    try { form.requestSubmit(); } finally { quiet = false; }
  }

  document.addEventListener("submit", function (event) {
    if (!isSetForm(event.target)) return;
    var now = Date.now();
    if (!quiet && now - lastSetSubmit < DOUBLE_TAP_MS) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    lastSetSubmit = now;
    // Kept before it is sent, not only when sending fails: a tab closed or reloaded while the
    // request is on its way still has the set, and the next visit sends it.
    keepPending(event.target);
  }, true);

  function keepPending(form) {
    if (!form.dataset.session) return;
    try {
      window.localStorage.setItem(formKey(form), JSON.stringify(pendingFrom(form)));
    } catch (e) { /* storage full or blocked: the form on screen still holds the set */ }
  }

  // Returns true when it filled the form on screen with the waiting set.
  function restorePending(root, form) {
    var raw = null;
    try { raw = window.localStorage.getItem(pendingKey(root)); } catch (e) { return false; }
    if (!raw) return false;
    var pending = null;
    try { pending = JSON.parse(raw); } catch (e) { pending = null; }
    if (!pending || !pending.client_token) {
      try { window.localStorage.removeItem(pendingKey(root)); } catch (e) { /* ignore */ }
      return false;
    }
    var again;
    var filled = false;
    if (form && slotOf(pending) === slotOf(pendingFrom(form))) {
      // The page is waiting for that very set: fill it in so the person sees what is sent.
      Object.keys(pending).forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) field.value = pending[name];
      });
      filled = true;
      again = submitter(form);
    } else {
      again = function () {
        // "whole": the set may be of another exercise than the one on screen.
        window.htmx.ajax("POST", root.dataset.logUrl, {
          source: root, target: "#player", swap: "outerHTML",
          values: Object.assign({}, pending, { whole: "1" }),
        });
      };
    }
    showSaveError(root, "A set you did earlier was not saved yet. Sending it now.", again);
    if (navigator.onLine !== false) window.setTimeout(resend, 0);
    return filled;
  }

  function isSetForm(elt) { return elt && elt.matches && elt.matches("[data-set-form]"); }
  function isPendingSend(elt) { return elt && elt.matches && elt.matches("[data-player]"); }

  document.addEventListener("htmx:sendError", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.closest) return;
    var root = elt.closest("[data-player]");
    var form = elt.closest("form");
    if (isSetForm(form)) keepPending(form);
    var again = form ? submitter(form) : retry;
    showSaveError(root, "No connection: this is not saved yet. It is kept here and will be sent again when you are back online, or press Try again.", again);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.closest) return;
    var form = elt.closest("form");
    var status = event.detail.xhr.status;
    if (status === 404) {
      showSaveError(elt.closest("[data-player]"), "That set or session is no longer there, perhaps changed in another tab. Reload the page to see where you are.", null);
    } else if (status === 403) {
      showSaveError(elt.closest("[data-player]"), "The page has expired, perhaps after you logged in again. Reload the page to carry on; a set you did is kept and sent again.", null);
    } else {
      showSaveError(elt.closest("[data-player]"), "The server could not save this just now. Nothing is lost: press Try again.", form ? submitter(form) : retry);
    }
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

  // An answer below 500 means the server has decided about this set: nothing left to resend.
  // A 5xx (a restart behind the proxy) decided nothing: the set stays kept and Try again works.
  // The element that asked is read from the request: after a swap it is no longer in the page,
  // so htmx fires this event on an ancestor instead. This runs before the swapped-in player
  // mounts (htmx settles later), so the new player does not find the set just saved.
  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig;
    var source = config && config.elt;
    var status = event.detail.xhr && event.detail.xhr.status;
    if (!status || status >= 500 || !source) return;
    if (!isSetForm(source) && !isPendingSend(source)) return;
    retry = null;
    var key = isSetForm(source) ? formKey(source) : pendingKey(source);
    try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
    if (isSetForm(source) && status < 300) rememberSaved(source);
  });

  window.addEventListener("online", resend);

  // --- keyboard -------------------------------------------------------------------------------

  // Away from any control: Space starts or pauses the hold (or counts a rep), Enter logs the
  // set, the left and right arrows go to the previous and next exercise. A focused button, link
  // or field keeps its own keys, so Enter on Start starts rather than logging the planned hold.
  document.addEventListener("keydown", function (event) {
    if (!current || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, button, a, summary, [contenteditable]")) return;
    if (event.repeat) return; // a held key is one press, not a set logged again and again
    if (event.key === "Enter") {
      event.preventDefault();
      current.log(true);
    } else if (event.key === " " || event.key === "Spacebar") {
      event.preventDefault();
      current.space();
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      var link = current.root.querySelector(event.key === "ArrowLeft" ? "a[rel=prev]" : "a[rel=next]");
      if (link) {
        event.preventDefault();
        link.click();
      }
    }
  });

  // --- mount on load and after every swap -----------------------------------------------------

  function init(elt) {
    var root = null;
    if (elt.matches && elt.matches("[data-player]")) root = elt;
    else if (elt.matches && elt.matches("[data-work-card]")) {
      // A set saved: only the exercise's card came back. The player mounts afresh around it;
      // the other regions swapped out of band need nothing from the script.
      root = elt.closest("[data-player]");
      if (current && current.root === root) { current.destroy(); current = null; }
    } else if (elt.querySelector) root = elt.querySelector("[data-player]");
    if (!root || (current && current.root === root)) return;
    if (current) current.destroy();
    current = mount(root, elt !== document.body);
  }

  if (window.htmx) {
    window.htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () { init(document.body); });
  }
})();
