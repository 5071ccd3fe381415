/* The people import page: poll the job's progress and show it until it finishes. */
(function () {
  "use strict";
  var root = document.querySelector("[data-import-progress-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-import-progress-url");
  var bar = root.querySelector("[data-testid=import-progress-bar]");
  var container = bar.parentElement;
  var label = root.querySelector("[data-testid=import-progress-label]");
  var badge = document.querySelector("[data-testid=import-status]");
  var delay = 1000;

  function render(data) {
    var percent = Math.max(0, Math.min(100, data.percent | 0));
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    container.setAttribute("aria-valuenow", String(percent));
    label.textContent = data.label;
    if (badge) {
      badge.textContent = data.status_label;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        render(data);
        if (data.finished) {
          // The page itself shows the result (counts, or every problem found).
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        label.textContent = "Lost contact with the server; trying again…";
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
