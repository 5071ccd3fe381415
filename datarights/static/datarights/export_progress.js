/* "Download my data": poll the export's progress and reload the page once it is built. */
(function () {
  "use strict";
  var root = document.querySelector("[data-export-progress-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-export-progress-url");
  var bar = root.querySelector("[data-testid=export-progress-bar]");
  var container = bar.parentElement;
  var label = root.querySelector("[data-testid=export-progress-label]");
  var delay = 1000;

  function render(data) {
    var percent = Math.max(0, Math.min(100, data.percent | 0));
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    container.setAttribute("aria-valuenow", String(percent));
    label.textContent = data.label;
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
