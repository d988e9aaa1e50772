// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The language select submits its form as soon as a language is chosen.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });

  // Forms that need a note for some answers: show the hint next to the chosen answer.
  function updateNoteHint(form) {
    var checked = form.querySelector("input[type=radio]:checked");
    var hint = form.querySelector("[data-note-required-hint]");
    var note = form.querySelector("textarea[name=note]");
    if (!hint || !note) return;
    var needed = checked && checked.hasAttribute("data-needs-note");
    hint.classList.toggle("is-required", !!needed);
    note.toggleAttribute("aria-required", !!needed);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-answer-form]");
    if (form) updateNoteHint(form);
  });

  // Ask before actions that cannot be undone.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // htmx keeps 4xx/5xx responses out of the page by default; say something plainly instead.
  document.addEventListener("htmx:responseError", function (event) {
    var region = document.getElementById("messages");
    if (!region) return;
    var text = region.getAttribute("data-error-text") || "The change was not saved.";
    region.innerHTML = '<ul class="messages"><li class="message error" role="alert"></li></ul>';
    region.querySelector("li").textContent = text + " (" + event.detail.xhr.status + ")";
  });
  document.addEventListener("htmx:sendError", function () {
    var region = document.getElementById("messages");
    if (!region) return;
    var text = region.getAttribute("data-offline-text") || "The server could not be reached.";
    region.innerHTML = '<ul class="messages"><li class="message error" role="alert"></li></ul>';
    region.querySelector("li").textContent = text;
  });
})();
