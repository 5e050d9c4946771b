// The learning-time request form shows the series fields only for a weekly request.
// Without JavaScript every field stays visible and the server ignores the unused ones.
const form = document.querySelector("form[data-time-form]");
if (form) {
  const update = () => {
    const repeat = form.elements.repeat.value;
    for (const el of form.querySelectorAll("[data-when-repeat]")) {
      el.hidden = el.dataset.whenRepeat !== repeat;
    }
  };
  form.addEventListener("change", update);
  update();
}
