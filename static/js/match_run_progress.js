// Polls a match run's progress and reloads the page once it has finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("[data-progress-bar]");
  var message = box.querySelector("[data-progress-message]");
  var delay = 1000;
  var failures = 0;

  function show(state) {
    var value = Math.max(0, Math.min(100, Number(state.progress) || 0));
    if (bar) {
      bar.style.width = value + "%";
      bar.textContent = value + "%";
      bar.parentNode.setAttribute("aria-valuenow", String(value));
    }
    if (message && state.message) message.textContent = state.message;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.finished) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.2, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        failures += 1;
        if (message && failures >= 3) message.textContent = "Can't reach the server; still trying…";
        window.setTimeout(poll, Math.min(2000 * failures, 15000));
      });
  }

  window.setTimeout(poll, delay);
})();
