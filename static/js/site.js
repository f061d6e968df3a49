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
// A page restored by Back from the browser's cache keeps the form as it was left: boxes ticked
// since, fields a submit disabled. Put the form back to the filters of the list it shows, so
// the next click adds to those and nothing hidden.
window.addEventListener("pageshow", (event) => {
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.querySelectorAll(":disabled").forEach((field) => {
      field.disabled = false;
    });
    if (event.persisted) {
      form.reset();
    }
  });
});
// After applying filters (the form's address ends in #result-count), the keyboard and a screen
// reader start at the new result count.
if (window.location.hash === "#result-count") {
  const count = document.getElementById("result-count");
  if (count) {
    count.focus();
  }
}
// On a narrow screen the filter panel starts folded, so the results come first; without this
// script it stays open.
if (window.matchMedia("(max-width: 48rem)").matches) {
  document.querySelectorAll("details[data-collapse-narrow]").forEach((panel) => {
    panel.open = false;
  });
}
