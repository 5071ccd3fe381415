// Behaviour that would otherwise sit in inline attributes, which the site's
// Content-Security-Policy forbids (script-src 'self', style-src 'self'):
//   data-confirm="Question?"   on a form, or on one of its submit buttons: ask before sending.
//   data-select-all=".selector" on a checkbox: tick or untick every checkbox matching the selector.
//   data-submit-on-change       on a select: send its form when the choice changes.
//   data-bar-rows="N"           on a chart's box: tall enough for N horizontal bars.
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var button = event.submitter;
      var question = (button && button.dataset.confirm) || form.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[type=checkbox][data-select-all]")) {
      document.querySelectorAll(target.dataset.selectAll).forEach(function (box) {
        box.checked = target.checked;
      });
    } else if (target.matches("select[data-submit-on-change]") && target.form) {
      if (target.form.requestSubmit) {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  document.querySelectorAll("[data-bar-rows]").forEach(function (box) {
    var rows = parseInt(box.dataset.barRows, 10) || 1;
    box.style.height = rows * 36 + 50 + "px";
  });
})();
