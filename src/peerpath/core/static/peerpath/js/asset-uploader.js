// The editor's uploader: after an upload, put the file's Markdown where the cursor was.
const editor = () => document.getElementById("id_body_markdown");

function insert(snippet, block) {
  const area = editor();
  if (!area) return false;
  const start = area.selectionStart ?? area.value.length;
  const end = area.selectionEnd ?? start;
  let text = snippet;
  if (block) {
    const before = area.value.slice(0, start);
    const after = area.value.slice(end);
    if (before && !before.endsWith("\n\n")) text = (before.endsWith("\n") ? "\n" : "\n\n") + text;
    if (!after.startsWith("\n")) text += "\n\n";
  }
  area.focus();
  area.setRangeText(text, start, end, "end");
  // Autosave listens for input.
  area.dispatchEvent(new Event("input", { bubbles: true }));
  return true;
}

function placed(result) {
  const box = result.querySelector("[data-snippet]");
  if (!box) return;
  const block = box.dataset.block === "1";
  if (insert(box.dataset.snippet, block)) {
    box.querySelector("[data-inserted-note]")?.removeAttribute("hidden");
  }
  const again = box.querySelector("[data-insert-snippet]");
  if (again && editor()) {
    again.hidden = false;
    again.addEventListener("click", () => insert(box.dataset.snippet, block));
  }
  const form = document.querySelector("[data-asset-uploader] form");
  form?.reset();
}

document.body.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id === "asset-result") placed(event.target);
});
