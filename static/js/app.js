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

  // Answers that need a note: show the hint next to the chosen answer.
  function updateNoteHint(box) {
    var checked = box.querySelector("input[type=radio]:checked");
    var hint = box.querySelector("[data-note-required-hint]");
    var note = box.querySelector("textarea");
    if (!hint || !note) return;
    var needed = checked && checked.hasAttribute("data-needs-note");
    hint.classList.toggle("is-required", !!needed);
    note.toggleAttribute("aria-required", !!needed);
  }
  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest("[data-answer-form]");
    if (box) updateNoteHint(box);
  });

  // The checklist by keyboard: j/k move between items, 1-4 choose the focused item's answer
  // (one needing a note moves into the note), Esc leaves a note or text field for its item.
  function checklistItems() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-checklist] article[data-item]"));
  }
  function focusItem(item) {
    if (!item) return;
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }
  function isTyping(element) {
    if (element.isContentEditable) return true;
    if (element.matches("textarea, select")) return true;
    return element.matches("input") && !element.matches("[type=radio], [type=checkbox], [type=submit], [type=button]");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    var items = checklistItems();
    if (!items.length || !target.closest) return;
    var current = target.closest("article[data-item]");
    if (isTyping(target)) {
      if (event.key === "Escape" && current) {
        event.preventDefault();
        focusItem(current);
      }
      return;
    }
    if (event.key === "j" || event.key === "k") {
      var index = items.indexOf(current);
      var next = event.key === "j" ? index + 1 : index - 1;
      if (index < 0) next = 0;
      event.preventDefault();
      focusItem(items[Math.max(0, Math.min(items.length - 1, next))]);
    } else if (current && /^[1-4]$/.test(event.key)) {
      var radio = current.querySelectorAll("[data-answer-form] input[type=radio]")[Number(event.key) - 1];
      if (!radio) return;
      event.preventDefault();
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      if (radio.hasAttribute("data-needs-note")) {
        var note = current.querySelector("[data-answer-form] textarea");
        if (note) note.focus();
      }
    }
  });

  // The first unanswered item has the focus when the checklist opens (so the keys work at
  // once); after a save, the item saved, or the first item still refused or unanswered.
  function firstOpenItem() {
    return document.querySelector("[data-checklist] article[data-item].has-error") ||
      document.querySelector("[data-checklist] article[data-item]:not(.answered)");
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!checklistItems().length || window.location.hash) return;
    var first = firstOpenItem();
    if (first) first.focus({ preventScroll: true });
  });
  var swapFrom = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    swapFrom = event.detail.elt;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var from = swapFrom;
    swapFrom = null;
    if (!from || !from.matches) return;
    if (from.matches("[data-section-form]")) {
      focusItem(firstOpenItem());
    } else if (from.matches("[data-item-save]")) {
      var item = document.getElementById(from.getAttribute("hx-target").slice(1));
      if (item) item.focus({ preventScroll: true });
    }
  });

  // Formsets ("Add another"): clone the empty row kept in a <template>, numbered as the next
  // row, and count it in the management form's TOTAL_FORMS. Without JavaScript the button
  // posts the form back with one more empty row, saving nothing.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-add-row]");
    if (!button) return;
    var prefix = button.getAttribute("data-add-row");
    var template = document.getElementById(prefix + "-empty-row");
    var rows = document.getElementById(prefix + "-rows");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) return;
    event.preventDefault();
    var count = Number(total.value);
    if (max && count >= Number(max.value)) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(count))
      .replace(/__number__/g, String(count + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(count + 1);
    var added = rows.lastElementChild;
    var field = added && added.querySelector("input, select, textarea");
    if (field) field.focus();
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
