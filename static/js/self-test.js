/* The self-test with the phone as an inclinometer, and the pictures to tap without one.
 *
 * With the phone flat on the shin, the leg's angle from the floor is the phone's turn about its
 * own side-to-side axis: the DeviceOrientation event's beta, taken from where it was zeroed
 * with the leg on the floor (Zero is refused with the phone far from level). A try reads the
 * leg once it has been still for about a second, far enough off the floor, not beyond what a
 * straight leg can do, and with the phone not rolled sideways; a higher still hold replaces
 * that reading, and the try ends when the leg comes back down. Each leg is tried twice and the
 * higher kept; the page's own form then carries the readings, so saving is the same post as a
 * picture or a typed number.
 *
 * Written by hand: no library does this small job, and the page must stay within our CSP.
 * The maths is on window.selfTestMath so the browser tests can check it on its own.
 */
(function () {
  "use strict";

  var TICK_MS = 100; // how often the latest reading is sampled (events come only on change)
  var STILL_MS = 1000; // a reading this long within STILL_DEG is captured
  var STILL_DEG = 2;
  var SIDEWAYS_DEG = 20; // the phone may roll on the shin this far from where it was zeroed
  var SHAKY_MS = 5000; // lifted this long without keeping still: say what is wrong
  var NO_SENSOR_MS = 2500; // no reading in this time after the tap: there is no sensor to read
  var FLAT_DEG = 15; // Zero is taken only with the phone about flat (the leg on the floor)...
  var ZERO_STILL_MS = 500; // ...and still, not on its way down
  var HIGHER_DEG = 3; // a still hold this much above the one read replaces it
  var LOWERED_DEG = 15; // the leg this far below its reading: the try is over
  var TRIES = [["left", 1], ["left", 2], ["right", 1], ["right", 2]];

  var DEG = Math.PI / 180;

  // --- the maths ------------------------------------------------------------------------------

  // An angle in degrees brought into (-180, 180].
  function wrap(deg) {
    var d = ((deg % 360) + 360) % 360;
    return d > 180 ? d - 360 : d;
  }

  // How far the leg has lifted since zero, in degrees. Taking the size of the turn, not its
  // sign, reads the same lift whichever way round the phone lies: top towards the foot or the
  // head, screen up or face down (then beta starts near 180 and falls as the leg rises).
  // Past 90 the leg points back over the body and beta keeps growing, so 100 reads 100.
  function lift(beta, zeroBeta) {
    return Math.abs(wrap(beta - zeroBeta));
  }

  // How far the phone has rolled on the shin since zero, in degrees: gamma, its turn about its
  // own long axis (the leg's). Lifting the leg turns the phone about its side-to-side axis only,
  // so the roll stays where it was zeroed; a phone slipping off the shin, or a leg turning out,
  // changes it. Within 15 degrees of upright, gamma loses its meaning (it and alpha become one
  // turn), so the roll is not judged there: the lift reading does not depend on it anyway.
  function roll(sample, zero) {
    if (Math.abs(Math.cos(sample.beta * DEG)) < Math.sin(15 * DEG)) return 0;
    return Math.abs(wrap(sample.gamma - zero.gamma));
  }

  // How far the phone's long axis (the shin) points up or down from level, in degrees,
  // whichever way round it lies: about 0 with the leg on the floor.
  function slope(beta) {
    return Math.asin(Math.min(1, Math.abs(Math.sin(beta * DEG)))) / DEG;
  }

  // The verdict on the last second of samples ({t, lift, sideways}); `range` is [low, high].
  function judge(samples, now, range) {
    var recent = samples.filter(function (s) { return now - s.t <= STILL_MS; });
    if (!recent.length) return { kind: "low" };
    var last = recent[recent.length - 1].lift;
    if (last < range[0]) {
      // Held still a little off the floor: worth a word. On the floor (under 3), just waiting.
      var steadyLow = now - recent[0].t >= STILL_MS - TICK_MS && recent.every(function (s) {
        return Math.abs(s.lift - last) <= STILL_DEG;
      });
      return steadyLow && last >= 3 ? { kind: "low", angle: Math.round(last) } : { kind: "low" };
    }
    var spanned = now - recent[0].t >= STILL_MS - TICK_MS;
    var lifts = recent.map(function (s) { return s.lift; });
    var still = Math.max.apply(null, lifts) - Math.min.apply(null, lifts) <= STILL_DEG;
    if (!spanned || !still) return { kind: "moving" };
    var sorted = lifts.slice().sort(function (a, b) { return a - b; });
    var angle = Math.round(sorted[Math.floor(sorted.length / 2)]);
    var tipped = Math.round(Math.max.apply(null, recent.map(function (s) { return s.sideways; })));
    if (tipped > SIDEWAYS_DEG) return { kind: "sideways", angle: angle, tipped: tipped };
    if (angle > range[1]) return { kind: "high", angle: angle };
    if (angle < range[0]) return { kind: "low" };
    return { kind: "still", angle: angle };
  }

  window.selfTestMath = { wrap: wrap, lift: lift, roll: roll, slope: slope, judge: judge };

  // --- the page -------------------------------------------------------------------------------

  function sideLabel(side) { return side === "left" ? "Left" : "Right"; }

  function mount(root) {
    var form = root.closest("form");
    var panel = root.querySelector("[data-sensor-panel]");
    var meter = root.querySelector("[data-inclinometer]");
    var status = root.querySelector("[data-measure-status]");
    var live = root.querySelector("[data-live-angle]");
    var which = root.querySelector("[data-measure-side]");
    var tries = root.querySelector("[data-tries]");
    var zeroButton = root.querySelector("[data-zero]");
    var startButton = root.querySelector("[data-sensor-start]");
    var fallback = root.querySelector("[data-sensor-fallback]");
    var pictures = root.querySelector("[data-pictures]");
    var range = [Number(root.dataset.min), Number(root.dataset.max)];

    function field(name) { return form.elements[name]; }

    // Whatever the person did last for a leg is what counts: the others are cleared.
    function usePicture(side) {
      halt();
      field(side + "_angle").value = "";
      field(side + "_readings").value = "";
    }
    function useTyped(side) {
      halt();
      field(side + "_readings").value = "";
      Array.prototype.forEach.call(form.querySelectorAll("input[name=" + side + "_picture]"), function (r) { r.checked = false; });
    }
    ["left", "right"].forEach(function (side) {
      Array.prototype.forEach.call(form.querySelectorAll("input[name=" + side + "_picture]"), function (radio) {
        radio.addEventListener("change", function () { usePicture(side); });
      });
      field(side + "_angle").addEventListener("input", function () { useTyped(side); });
    });

    // The sensor is offered where there is likely to be one: a touch screen with the event.
    var touch = window.matchMedia("(any-pointer: coarse)").matches || navigator.maxTouchPoints > 0;
    if (!panel || !("DeviceOrientationEvent" in window) || !touch) return;
    panel.hidden = false;

    var latest = null;
    var recentBetas = []; // the last half second of readings, to tell a still phone at Zero
    var noSensor = null;
    var zero = null;
    var samples = [];
    var liftedSince = null;
    var reading = null; // this try's highest still hold so far
    var step = 0;
    var kept = { left: [], right: [] };
    var timer = null;
    var audio = null;
    var wakeLock = null;

    // Only a new message is written: the status region is read aloud on every change.
    function say(text) { if (status.textContent !== text) status.textContent = text; }

    function giveUp(text) {
      stop();
      panel.hidden = true;
      // Shown first and filled a moment later, so a screen reader announces it; focus moves
      // to it, in view, with the pictures it points to right below.
      fallback.hidden = false;
      fallback.setAttribute("tabindex", "-1");
      setTimeout(function () {
        fallback.textContent = text;
        fallback.scrollIntoView({ block: "start" });
        fallback.focus({ preventScroll: true });
      }, 50);
    }

    function stop() {
      window.removeEventListener("deviceorientation", onOrientation);
      if (timer) clearInterval(timer);
      timer = null;
      if (noSensor) clearTimeout(noSensor);
      noSensor = null;
      if (wakeLock) wakeLock.release().catch(function () {});
      wakeLock = null;
    }

    // A picture or a number chosen while measuring: the person has chosen another way.
    function halt() {
      if (!timer) return;
      stop();
      zero = null;
      reading = null;
      meter.hidden = true;
      say("Measuring stopped: the picture or number you chose counts for that leg.");
      startButton.textContent = "Measure both legs again";
      startButton.hidden = false;
    }

    // The phone lies on the shin for half a minute or more: keep its screen from going dark.
    function keepAwake() {
      if (!("wakeLock" in navigator) || wakeLock) return;
      navigator.wakeLock.request("screen").then(function (lock) {
        if (timer) wakeLock = lock;
        else lock.release().catch(function () {}); // the run ended while it was asked for
      }, function () {
        /* refused (battery saver): the reading works without it */
      });
    }

    function onOrientation(event) {
      if (event.beta === null || event.gamma === null) return; // the event without a sensor
      latest = { beta: event.beta, gamma: event.gamma };
    }

    function beep() {
      if (navigator.vibrate) navigator.vibrate(200);
      if (!audio) return;
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.25, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
    }

    function showStep() {
      var now = TRIES[step];
      which.textContent = sideLabel(now[0]) + " leg, try " + now[1] + " of 2";
      zeroButton.textContent = "Zero (" + now[0] + " leg flat on the floor)";
    }

    function tick() {
      if (!latest) return;
      var now = Date.now();
      recentBetas.push({ t: now, beta: latest.beta });
      recentBetas = recentBetas.filter(function (h) { return now - h.t <= ZERO_STILL_MS; });
      // Without a zero the reading of the last try stays on screen.
      if (!zero) return;
      var current = lift(latest.beta, zero.beta);
      live.textContent = String(Math.round(current));
      // Read already, and the leg has come down: that try is over, at its highest still hold.
      if (reading !== null && current < Math.max(range[0], reading - LOWERED_DEG)) {
        finishTry();
        return;
      }
      samples.push({ t: now, lift: current, sideways: roll(latest, zero) });
      samples = samples.filter(function (s) { return now - s.t <= STILL_MS; });
      var verdict = judge(samples, now, range);
      if (verdict.kind === "low") {
        liftedSince = null;
        if (verdict.angle !== undefined && reading === null) {
          say("Not read: " + verdict.angle + "° is under " + range[0] + "°, hardly off the floor. Lift the straight leg as far as is comfortable, then hold it still. Stop before it hurts.");
        }
        return;
      }
      if (liftedSince === null) liftedSince = now;
      if (verdict.kind === "moving") {
        if (now - liftedSince > SHAKY_MS && reading === null) {
          say("Still moving, so nothing was read. Hold the leg still for a second where it stops, without pushing into pain.");
        }
        return;
      }
      // Already read, then the phone moved: the try keeps what was read.
      if ((verdict.kind === "sideways" || verdict.kind === "high") && reading !== null) {
        finishTry();
        return;
      }
      if (verdict.kind === "sideways") {
        refuse("Not read: the phone tipped sideways by " + verdict.tipped + "°. Keep it flat on the shin, screen up, and lift the leg straight up.");
        return;
      }
      if (verdict.kind === "high") {
        refuse("Not read: " + verdict.angle + "° is more than " + range[1] + "°, further than a straight leg lifts. The phone may have slipped, or it was zeroed off the floor.");
        return;
      }
      // A still hold: read it. A pause on the way up is read too, and a higher hold after it
      // replaces it, so the try keeps the highest point the leg was held at.
      if (reading === null || verdict.angle >= reading + HIGHER_DEG) {
        reading = verdict.angle;
        beep();
        say("Read " + reading + "°. Lower the leg slowly when you are ready.");
      }
    }

    function refuse(text) {
      zero = null;
      reading = null;
      samples = [];
      liftedSince = null;
      say(text + " Lower the leg and tap Zero to try again.");
    }

    function finishTry() {
      var now = TRIES[step];
      var angle = reading;
      zero = null;
      reading = null;
      samples = [];
      liftedSince = null;
      live.textContent = String(angle);
      kept[now[0]].push(angle);
      var item = document.createElement("li");
      item.textContent = sideLabel(now[0]) + " leg, try " + now[1] + ": " + angle + "°";
      tries.appendChild(item);
      if (now[1] === 2) keep(now[0]);
      step += 1;
      if (step < TRIES.length) {
        var next = TRIES[step];
        var move = next[0] !== now[0] ? " Move the phone to your right shin, then tap Zero" : " Tap Zero";
        say(sideLabel(now[0]) + " leg, try " + now[1] + ": " + angle + "°." + move + " for " + next[0] + " leg, try " + next[1] + ".");
        showStep();
      } else {
        zeroButton.hidden = true;
        live.parentNode.hidden = true; // the last try's angle is not the result: the list is
        which.textContent = "Both legs measured";
        say("Both legs measured: left " + best("left") + "°, right " + best("right") + "°, the higher try of each. Save the self-test when you are ready.");
        stop();
        startButton.textContent = "Measure both legs again";
        startButton.hidden = false;
      }
    }

    function best(side) { return Math.max.apply(null, kept[side]); }

    // Into the form: the better try as the number, both tries beside it; no picture.
    function keep(side) {
      field(side + "_angle").value = String(best(side));
      field(side + "_readings").value = kept[side].join(",");
      Array.prototype.forEach.call(form.querySelectorAll("input[name=" + side + "_picture]"), function (r) { r.checked = false; });
    }

    function begin() {
      stop();
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!audio && Context) {
        try { audio = new Context(); } catch (e) { audio = null; }
      }
      var asking = typeof DeviceOrientationEvent.requestPermission === "function"
        ? DeviceOrientationEvent.requestPermission() // iOS: only from a tap, as here
        : Promise.resolve("granted");
      asking.then(function (answer) {
        if (answer !== "granted") {
          giveUp("The motion sensor was not allowed, so nothing was measured with it. Tap the picture below that looks most like each leg at its highest, or type the angle. To use the phone later, allow motion access for this site in your browser's settings.");
          return;
        }
        window.addEventListener("deviceorientation", onOrientation);
        startButton.hidden = true;
        meter.hidden = false;
        live.parentNode.hidden = false;
        live.textContent = "0";
        step = 0;
        zero = null;
        reading = null;
        latest = null;
        recentBetas = [];
        kept = { left: [], right: [] };
        tries.textContent = "";
        // A new run measures both legs afresh: nothing of an earlier run is saved with it.
        ["left", "right"].forEach(function (side) {
          if (field(side + "_readings").value) {
            field(side + "_readings").value = "";
            field(side + "_angle").value = "";
          }
        });
        zeroButton.hidden = false;
        showStep();
        say("With your left leg straight on the floor and the phone on its shin, tap Zero.");
        timer = setInterval(tick, TICK_MS);
        keepAwake();
        noSensor = setTimeout(function () {
          noSensor = null;
          if (!latest && timer) {
            giveUp("This device gave no motion reading, so it cannot measure the angle. Tap the picture below that looks most like each leg at its highest, or type the angle.");
          }
        }, NO_SENSOR_MS);
      }, function () {
        giveUp("The motion sensor could not be started here. Tap the picture below that looks most like each leg at its highest, or type the angle.");
      });
    }

    startButton.addEventListener("click", begin);
    zeroButton.addEventListener("click", function () {
      if (!latest) { say("No reading from the motion sensor yet. Hold on a moment and tap Zero again."); return; }
      if (reading !== null || liftedSince !== null) {
        say("Lower the leg to the floor first: this try ends when it is down. Then tap Zero.");
        return;
      }
      // Zero is the floor: from a raised leg, lowering it would read as a lift.
      var span = recentBetas.length ? recentBetas[recentBetas.length - 1].t - recentBetas[0].t : 0;
      var betas = recentBetas.map(function (h) { return h.beta; });
      var moving = span < ZERO_STILL_MS - 2 * TICK_MS || Math.max.apply(null, betas) - Math.min.apply(null, betas) > 1;
      if (moving) {
        say("Not zeroed: the phone is still moving. Rest the leg flat on the floor for a moment, then tap Zero.");
        return;
      }
      var tipped = Math.round(slope(latest.beta));
      if (tipped > FLAT_DEG) {
        say("Not zeroed: the phone points " + tipped + "° off level. Put the leg down flat on the floor with the phone on the shin, then tap Zero.");
        return;
      }
      zero = { beta: latest.beta, gamma: latest.gamma };
      reading = null;
      samples = [];
      liftedSince = null;
      var side = TRIES[step][0];
      say("Zeroed. Now lie back and lift the straight " + side + " leg slowly, as far as is comfortable, and hold it still. Stop before it hurts.");
    });
  }

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-self-test]"), mount);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
