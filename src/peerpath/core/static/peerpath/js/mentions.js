// @mention suggestions for textareas marked data-mentions="<suggestions URL>".
// Typing "@" and the start of a name lists matching colleagues; arrow keys move, Enter or
// Tab inserts "@[Name]", Escape closes. Works for textareas added later by htmx.

const MIN_CHARS = 1;
const TOKEN = /(?:^|[\s(])@([^@[\]\n]{0,40})$/;
let list = null;
let active = null; // { textarea, start, options, index, timer, controller }

function closeList() {
  if (active) {
    active.textarea.setAttribute("aria-expanded", "false");
    active.textarea.removeAttribute("aria-activedescendant");
    if (active.controller) active.controller.abort();
    clearTimeout(active.timer);
  }
  if (list) list.hidden = true;
  active = null;
}

function ensureList() {
  if (!list) {
    list = document.createElement("ul");
    list.id = "mention-suggestions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Colleagues to mention");
    list.hidden = true;
    list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (option && active) {
        event.preventDefault();
        choose(Number(option.dataset.index));
      }
    });
    document.body.appendChild(list);
  }
  return list;
}

function place(textarea) {
  const box = textarea.getBoundingClientRect();
  list.style.left = `${window.scrollX + box.left}px`;
  list.style.top = `${window.scrollY + box.bottom + 4}px`;
  list.style.minWidth = `${Math.min(box.width, 320)}px`;
}

function render() {
  const ul = ensureList();
  ul.replaceChildren();
  active.options.forEach((person, i) => {
    const li = document.createElement("li");
    li.id = `mention-option-${i}`;
    li.setAttribute("role", "option");
    li.dataset.index = String(i);
    li.setAttribute("aria-selected", i === active.index ? "true" : "false");
    const name = document.createElement("span");
    name.className = "mention-list__name";
    name.textContent = person.name;
    li.appendChild(name);
    if (person.title) {
      const title = document.createElement("span");
      title.className = "mention-list__title";
      title.textContent = person.title;
      li.appendChild(title);
    }
    ul.appendChild(li);
  });
  if (!active.options.length) {
    closeList();
    return;
  }
  ul.hidden = false;
  place(active.textarea);
  active.textarea.setAttribute("aria-controls", ul.id);
  active.textarea.setAttribute("aria-expanded", "true");
  active.textarea.setAttribute("aria-activedescendant", `mention-option-${active.index}`);
}

function choose(index) {
  const person = active && active.options[index];
  if (!person) return;
  const textarea = active.textarea;
  const caret = textarea.selectionStart;
  const before = textarea.value.slice(0, active.start);
  const after = textarea.value.slice(caret);
  const insert = `${person.insert} `;
  textarea.value = before + insert + after;
  const at = before.length + insert.length;
  textarea.setSelectionRange(at, at);
  closeList();
  textarea.focus();
}

function lookup(textarea) {
  const caret = textarea.selectionStart;
  const match = TOKEN.exec(textarea.value.slice(0, caret));
  if (!match || match[1].trim().length < MIN_CHARS) {
    closeList();
    return;
  }
  const query = match[1].trim();
  const start = caret - match[1].length - 1;
  if (active && active.textarea !== textarea) closeList();
  if (!active) active = { textarea, options: [], index: 0 };
  active.start = start;
  clearTimeout(active.timer);
  active.timer = setTimeout(async () => {
    if (!active) return;
    if (active.controller) active.controller.abort();
    active.controller = new AbortController();
    const url = `${textarea.dataset.mentions}?q=${encodeURIComponent(query)}`;
    try {
      const response = await fetch(url, {
        signal: active.controller.signal,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok || !active) return;
      const data = await response.json();
      active.options = data.people || [];
      active.index = 0;
      render();
    } catch (error) {
      if (error.name !== "AbortError") closeList();
    }
  }, 150);
}

document.addEventListener("input", (event) => {
  const textarea = event.target;
  if (textarea instanceof HTMLTextAreaElement && textarea.dataset.mentions) {
    textarea.setAttribute("aria-autocomplete", "list");
    lookup(textarea);
  }
});

document.addEventListener("keydown", (event) => {
  if (!active || event.target !== active.textarea || !list || list.hidden) return;
  const count = active.options.length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    active.index = (active.index + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
    render();
  } else if (event.key === "Enter" || event.key === "Tab") {
    event.preventDefault();
    choose(active.index);
  } else if (event.key === "Escape") {
    event.preventDefault();
    closeList();
  }
});

document.addEventListener("focusout", (event) => {
  if (active && event.target === active.textarea) setTimeout(closeList, 150);
});
