// A single-SCO SCORM 1.2 lesson: four screens, a three-question check, resume by screen.
(function () {
  "use strict";
  function findAPI(win) {
    var tries = 0;
    while (!win.API && win.parent && win.parent !== win && tries < 7) { win = win.parent; tries++; }
    return win.API || null;
  }
  var api = null;
  try { api = findAPI(window); } catch (e) { api = null; }
  var lms = {
    get: function (key) { return api ? api.LMSGetValue(key) : ""; },
    set: function (key, value) { if (api) { api.LMSSetValue(key, String(value)); } },
    commit: function () { if (api) { api.LMSCommit(""); } }
  };
  if (api) { api.LMSInitialize(""); }
  var screens = document.querySelectorAll("section[data-screen]");
  var total = screens.length;
  var current = parseInt(lms.get("cmi.core.lesson_location"), 10) || 1;
  if (current < 1 || current > total) { current = 1; }
  if (lms.get("cmi.core.lesson_status") === "not attempted") { lms.set("cmi.core.lesson_status", "incomplete"); }

  function show(n) {
    current = n;
    screens.forEach(function (s) { s.hidden = Number(s.dataset.screen) !== n; });
    document.getElementById("step").textContent = "Screen " + n + " of " + total;
    document.getElementById("back").disabled = n === 1;
    document.getElementById("next").disabled = n === total;
    lms.set("cmi.core.lesson_location", n);
    lms.commit();
  }
  document.getElementById("back").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("check").addEventListener("submit", function (event) {
    event.preventDefault();
    var answers = { q1: "a", q2: "b", q3: "a" };
    var right = 0;
    Object.keys(answers).forEach(function (q) {
      var chosen = document.querySelector("input[name=" + q + "]:checked");
      if (chosen && chosen.value === answers[q]) { right++; }
    });
    var score = Math.round(100 * right / 3);
    lms.set("cmi.core.score.min", 0);
    lms.set("cmi.core.score.max", 100);
    lms.set("cmi.core.score.raw", score);
    lms.set("cmi.core.lesson_status", score >= 67 ? "passed" : "failed");
    lms.commit();
    document.getElementById("result").textContent = score >= 67
      ? "Passed with " + score + "%. Well done."
      : "You scored " + score + "%. Have another look and try again.";
  });
  window.addEventListener("beforeunload", function () { if (api) { api.LMSFinish(""); } });
  show(current);
})();
