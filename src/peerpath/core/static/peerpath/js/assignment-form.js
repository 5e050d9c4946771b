// The assignment form shows only the fields its audience and due rule use.
// Without JavaScript every field stays visible and the server ignores the unused ones.
const form = document.querySelector("form[data-assign-form]");
if (form) {
  const update = () => {
    // The form that changes an existing assignment's dates has no audience field.
    const audience = form.elements.audience?.value;
    const due = form.elements.due_rule.value;
    for (const el of form.querySelectorAll("[data-when-audience]")) {
      el.hidden = !el.dataset.whenAudience.split(" ").includes(audience);
    }
    for (const el of form.querySelectorAll("[data-when-due]")) {
      el.hidden = !el.dataset.whenDue.split(" ").includes(due);
    }
  };
  form.addEventListener("change", update);
  update();
}
