// Optional enhancements of the filter forms; without this script every form still works.
document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
  // A box ticked with the mouse applies at once. Keyboard users move through the boxes without
  // the page reloading under them and apply with the "Apply filters" button.
  form.addEventListener("click", (event) => {
    const target = event.target;
    if (event.detail > 0 && target.matches("input[type=checkbox], input[type=radio]")) {
      form.requestSubmit();
    }
  });
  // Empty fields add nothing to the filter: leave them out so the address stays short.
  form.addEventListener("submit", () => {
    form.querySelectorAll("input, select").forEach((field) => {
      if (field.name && field.value === "") {
        field.disabled = true;
      }
    });
  });
});
// Re-enable fields a previous submit disabled when the page is restored from the back cache.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-autosubmit] :disabled").forEach((field) => {
    field.disabled = false;
  });
});
// On a narrow screen the filter panel starts folded, so the results come first; without this
// script it stays open.
if (window.matchMedia("(max-width: 48rem)").matches) {
  document.querySelectorAll("details[data-collapse-narrow]").forEach((panel) => {
    panel.open = false;
  });
}
