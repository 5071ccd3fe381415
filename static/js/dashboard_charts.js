// Success dashboard trend charts. The numbers come from the page (json_script
// "dashboard-chart-data"): one value per stored snapshot for each series, aggregates only.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997"];
  var HEALTH = { pairings_healthy: "#198754", pairings_cooling: "#ffc107", pairings_at_risk: "#dc3545" };

  function canvas(id) {
    return document.querySelector('canvas[data-chart="' + id + '"]');
  }

  function dataset(series, index, extra) {
    var colour = HEALTH[series.key] || PALETTE[index % PALETTE.length];
    return Object.assign(
      {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: colour,
        spanGaps: true,
        tension: 0.2,
        pointRadius: data.labels.length > 40 ? 0 : 3,
      },
      extra || {}
    );
  }

  function chart(id, type, datasets, scales) {
    var target = canvas(id);
    if (!target) return;
    new Chart(target, {
      type: type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: scales,
      },
    });
  }

  var charts = data.charts || {};

  chart(
    "health",
    "bar",
    (charts.health || []).map(function (s, i) {
      return dataset(s, i, { stack: "health" });
    }),
    { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
  );

  var rhythm = charts.rhythm || [];
  chart(
    "rhythm",
    "line",
    rhythm.map(function (s, i) {
      return dataset(s, i, { yAxisID: i === 0 ? "y" : "y1" });
    }),
    {
      y: { beginAtZero: true, position: "left", title: { display: true, text: "Sessions per pairing" } },
      y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "Days" } },
    }
  );

  chart(
    "percentages",
    "line",
    (charts.percentages || []).map(function (s, i) {
      return dataset(s, i);
    }),
    { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } }
  );

  chart(
    "satisfaction",
    "line",
    (charts.satisfaction || []).map(function (s, i) {
      return dataset(s, i, { yAxisID: s.key === "nps" ? "y1" : "y" });
    }),
    {
      y: { min: 1, max: 5, position: "left", title: { display: true, text: "Satisfaction (1-5)" } },
      y1: { min: -100, max: 100, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "NPS" } },
    }
  );
})();
