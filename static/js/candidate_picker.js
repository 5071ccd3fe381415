// Invite page: filter the candidate list as HR types, and count the ticked people.
(function () {
  const filter = document.getElementById("candidate-filter");
  const count = document.getElementById("selected-count");
  const checks = document.querySelectorAll(".candidate-check");
  function updateCount() { if (count) count.textContent = document.querySelectorAll(".candidate-check:checked").length; }
  checks.forEach(function (c) { c.addEventListener("change", updateCount); });
  if (filter) {
    filter.addEventListener("input", function () {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      document.querySelectorAll(".candidate").forEach(function (row) {
        const text = row.dataset.search;
        row.classList.toggle("d-none", !words.every(function (w) { return text.includes(w); }));
      });
    });
  }
})();
