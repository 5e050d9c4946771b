// Runs first inside every HTML document of a SCORM package (injected by Peerpath's player).
// It creates the SCORM run-time (scorm-again) on this window, loaded with the learner's saved
// data, so the content finds window.API (SCORM 1.2) or window.API_1484_11 (SCORM 2004) on its
// own window. Commits go to the player's token address: this document has an opaque origin
// and no cookies, so that address is the only part of Peerpath it can reach.
(function () {
  "use strict";
  var config = window.PeerpathScorm;
  if (!config) { return; }
  var scorm12 = config.standard === "scorm12";
  var Runtime = scorm12 ? window.Scorm12API : window.Scorm2004API;
  if (!Runtime) { return; }
  var api = new Runtime({
    lmsCommitUrl: config.commitUrl || false,
    dataCommitFormat: "flattened",
    sendFullCommit: true,
    // A CORS-safelisted type: the commit needs no preflight from the sandboxed origin.
    commitRequestDataType: "text/plain;charset=UTF-8",
    autocommit: true,
    autocommitSeconds: 30,
    logLevel: 4
  });
  api.loadFromFlattenedJSON(config.data, "");
  if (scorm12) {
    window.API = api;
  } else {
    window.API_1484_11 = api;
  }
  function announce() {
    try {
      window.top.postMessage({peerpath: "scorm-commit"}, "*");
    } catch (e) {
      // The module page is only told so it can refresh its status line.
    }
  }
  var events = scorm12 ? ["LMSCommit", "LMSFinish"] : ["Commit", "Terminate"];
  for (var i = 0; i < events.length; i++) {
    api.on(events[i], announce);
  }
})();
