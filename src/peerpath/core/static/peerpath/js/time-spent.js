// Time spent on a module page: counts the seconds the page is visible and reports them
// every ~30 seconds, and with a beacon when the learner leaves. The server caps each
// report by the wall time since the previous one, so this only has to be roughly right.

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function setup(tracker) {
  const url = tracker.dataset.url;
  const interval = Math.max(5, Number(tracker.dataset.interval) || 30) * 1000;
  let visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  let banked = 0; // milliseconds seen but not reported yet

  function take() {
    if (visibleSince !== null) {
      const now = Date.now();
      banked += now - visibleSince;
      visibleSince = now;
    }
    const seconds = Math.floor(banked / 1000);
    banked -= seconds * 1000;
    return seconds;
  }

  function body(seconds) {
    // The token travels in the body: a beacon cannot set headers.
    return new URLSearchParams({ seconds: String(seconds), csrfmiddlewaretoken: csrfToken() });
  }

  function beat() {
    const seconds = take();
    if (seconds < 1) return;
    fetch(url, { method: "POST", credentials: "same-origin", body: body(seconds) }).catch(() => {});
  }

  function leave() {
    const seconds = take();
    if (seconds < 1) return;
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body(seconds)))) {
      fetch(url, { method: "POST", credentials: "same-origin", keepalive: true, body: body(seconds) }).catch(() => {});
    }
  }

  setInterval(beat, interval);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      visibleSince = Date.now();
    } else {
      leave(); // the tab may never come back (phones discard hidden pages)
      visibleSince = null;
    }
  });
  window.addEventListener("pagehide", leave);
}

document.querySelectorAll("[data-time-tracker]").forEach(setup);
