// A checkbox marked data-check-all="name" ticks or clears every checkbox of that name.
for (const all of document.querySelectorAll("input[data-check-all]")) {
  all.addEventListener("change", () => {
    for (const box of document.querySelectorAll(`input[type=checkbox][name="${all.dataset.checkAll}"]`)) {
      box.checked = all.checked;
    }
  });
}
