// The module page's SCORM player: a full-screen control, and a status line that follows
// the package's commits (the run-time in the sandboxed frame announces each one).
(function () {
  "use strict";
  var player = document.querySelector("[data-scorm-player]");
  if (!player) { return; }
  var frame = player.querySelector("iframe");
  var button = player.querySelector("[data-fullscreen]");
  if (button) {
    if (!frame.requestFullscreen) {
      button.hidden = true;
    } else {
      button.addEventListener("click", function () { frame.requestFullscreen(); });
    }
  }
  var timer = null;
  window.addEventListener("message", function (event) {
    if (!event.data || event.data.peerpath !== "scorm-commit" || !window.htmx) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      window.htmx.ajax("GET", player.dataset.statusUrl, {target: "#scorm-status", swap: "outerHTML"});
    }, 300);
  });
})();
