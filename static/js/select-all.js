// The case list's bulk assignment: a "tick every case" box in the table head ticks or unticks
// every case box of the form it names (data-select-all="<form id>"). Without JavaScript the
// box is hidden and each case is ticked by hand.
(function () {
  "use strict";
  function boxes(formId) {
    return document.querySelectorAll('input[type=checkbox][name=case][form="' + formId + '"]');
  }
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("input[data-select-all]")) return;
    boxes(all.getAttribute("data-select-all")).forEach(function (box) {
      box.checked = all.checked;
    });
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][name=case][form]")) return;
    var formId = box.getAttribute("form");
    var all = document.querySelector('input[data-select-all="' + formId + '"]');
    if (!all) return;
    var list = Array.prototype.slice.call(boxes(formId));
    var ticked = list.filter(function (b) { return b.checked; }).length;
    all.checked = ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  });
})();
