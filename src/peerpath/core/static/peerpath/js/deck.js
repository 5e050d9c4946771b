// Slide decks: one slide at a time, buttons, keys, swipes and full-screen presenting.
// Without this script every slide is shown, one under the other.

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function setup(deck) {
  const items = [...deck.querySelectorAll("[data-slide]")];
  const total = items.length;
  const stage = deck.querySelector("[data-deck-stage]");
  const prev = deck.querySelector("[data-deck-prev]");
  const next = deck.querySelector("[data-deck-next]");
  const present = deck.querySelector("[data-deck-present]");
  const counter = deck.querySelector("[data-deck-current]");
  const progress = deck.querySelector("[data-deck-progress]");
  const bar = deck.querySelector("[data-deck-bar]");
  const end = deck.querySelector("[data-deck-end]");
  const resume = deck.querySelector("[data-deck-resume]");
  const positionUrl = deck.dataset.positionUrl;
  let furthest = Number(deck.dataset.furthest) || 1;
  let current = 1;
  let reportTimer = null;

  const clamp = (n) => Math.min(Math.max(n, 1), total);

  function report() {
    if (!positionUrl) return;
    clearTimeout(reportTimer);
    reportTimer = setTimeout(() => {
      fetch(positionUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "X-CSRFToken": csrfToken() },
        body: new URLSearchParams({ slide: String(furthest) }),
      }).catch(() => {});
    }, 300);
  }

  function setDisabled(button, disabled) {
    button.setAttribute("aria-disabled", String(disabled));
    button.classList.toggle("is-disabled", disabled);
  }

  function show(n) {
    current = clamp(n);
    items.forEach((item, index) => {
      item.hidden = index + 1 !== current;
    });
    counter.textContent = String(current);
    progress.setAttribute("aria-valuenow", String(current));
    bar.style.width = `${(current / total) * 100}%`;
    setDisabled(prev, current === 1);
    setDisabled(next, current === total);
    if (end) end.hidden = current !== total;
    if (current > furthest) {
      furthest = current;
      report();
    }
  }

  const step = (delta) => show(current + delta);

  const presenting = () => deck.classList.contains("deck--presenting");

  function setPresenting(on) {
    deck.classList.toggle("deck--presenting", on);
    present.setAttribute("aria-pressed", String(on));
    present.setAttribute("aria-label", on ? "Leave full screen" : "Present full screen");
    present.querySelector(".deck__btn-text").textContent = on ? "Leave" : "Present";
    if (on) stage.focus({ preventScroll: true });
  }

  async function togglePresenting() {
    if (document.fullscreenElement === deck) {
      await document.exitFullscreen();
      return;
    }
    if (presenting()) {
      setPresenting(false);
      return;
    }
    if (deck.requestFullscreen) {
      try {
        await deck.requestFullscreen({ navigationUI: "hide" });
        return; // fullscreenchange turns presenting on
      } catch {
        // Refused (an embedded page, an old browser): fill the window instead.
      }
    }
    setPresenting(true);
  }

  document.addEventListener("fullscreenchange", () => {
    setPresenting(document.fullscreenElement === deck);
  });

  prev.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  present.addEventListener("click", togglePresenting);
  deck.querySelector("[data-deck-restart]")?.addEventListener("click", () => {
    resume.hidden = true;
    show(1);
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!presenting() && !deck.contains(document.activeElement)) return;
    const target = event.target;
    const onControl = target.closest?.("button, a, input, textarea, select, [contenteditable]");
    if (onControl && (event.key === " " || event.key === "Enter")) return;
    if (target.closest?.("input, textarea, select, [contenteditable]")) return;
    const moves = {
      ArrowRight: () => step(1),
      ArrowDown: () => step(1),
      PageDown: () => step(1),
      " ": () => step(event.shiftKey ? -1 : 1),
      ArrowLeft: () => step(-1),
      ArrowUp: () => step(-1),
      PageUp: () => step(-1),
      Home: () => show(1),
      End: () => show(total),
      Escape: () => presenting() && !document.fullscreenElement && setPresenting(false),
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      move();
    }
  });

  // Swipe left or right on the slide.
  let touchStart = null;
  stage.addEventListener(
    "touchstart",
    (event) => {
      const t = event.changedTouches[0];
      touchStart = { x: t.clientX, y: t.clientY };
    },
    { passive: true },
  );
  stage.addEventListener(
    "touchend",
    (event) => {
      if (!touchStart) return;
      const t = event.changedTouches[0];
      const dx = t.clientX - touchStart.x;
      const dy = t.clientY - touchStart.y;
      touchStart = null;
      if (Math.abs(dx) > 50 && Math.abs(dx) > Math.abs(dy) * 1.5) step(dx < 0 ? 1 : -1);
    },
    { passive: true },
  );

  deck.classList.add("deck--enhanced");
  deck.querySelector("[data-deck-controls]").hidden = false;
  deck.querySelector("[data-deck-hint]").hidden = false;
  const fromHash = /^#slide-(\d+)$/.exec(window.location.hash);
  const start = fromHash ? Number(fromHash[1]) : Number(deck.dataset.start) || 1;
  if (resume && !fromHash) resume.hidden = false;
  show(start);
}

document.querySelectorAll("[data-deck]").forEach(setup);
