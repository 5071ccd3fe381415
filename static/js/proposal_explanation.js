// Run page: a proposal's points per criterion are loaded when HR opens its "Why" (the
// page itself carries only the top three), from <details data-explanation="URL">. The
// link inside stays for browsers without JavaScript, and in place if the request fails.
(function () {
  "use strict";

  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details.open || !details.dataset || !details.dataset.explanation || details.dataset.loaded) return;
      details.dataset.loaded = "1";
      fetch(details.dataset.explanation, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          var link = details.querySelector("a");
          var holder = document.createElement("div");
          holder.innerHTML = html;
          if (link) link.replaceWith(holder);
          else details.appendChild(holder);
        })
        .catch(function () {
          delete details.dataset.loaded;
        });
    },
    true
  );
})();
