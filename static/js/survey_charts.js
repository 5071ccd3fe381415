// Survey results charts. The numbers come from the page (json_script "survey-chart-data"):
// counts per answer for each question, and averages / NPS per period for the trend.
(function () {
  "use strict";
  var source = document.getElementById("survey-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var PRIMARY = "#0d6efd";
  var PALETTE = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#6c757d"];
  var NPS_COLOURS = { detractor: "#dc3545", passive: "#adb5bd", promoter: "#198754" };

  function canvas(id) {
    return document.querySelector('canvas[data-chart="' + id + '"]');
  }

  function npsColour(label) {
    var score = Number(label);
    if (score >= 9) return NPS_COLOURS.promoter;
    if (score >= 7) return NPS_COLOURS.passive;
    return NPS_COLOURS.detractor;
  }

  (data.questions || []).forEach(function (question) {
    var target = canvas(question.id);
    if (!target) return;
    var horizontal = question.kind === "single" || question.kind === "multiple";
    new Chart(target, {
      type: "bar",
      data: {
        labels: question.labels,
        datasets: [
          {
            label: "Answers",
            data: question.counts,
            backgroundColor: question.kind === "nps" ? question.labels.map(npsColour) : PRIMARY,
            borderRadius: 3,
          },
        ],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: horizontal
          ? { x: { beginAtZero: true, ticks: { precision: 0 } } }
          : { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });

  function lineChart(id, series, yScale) {
    var target = canvas(id);
    if (!target || !series || !series.length) return;
    new Chart(target, {
      type: "line",
      data: {
        labels: data.trend.labels,
        datasets: series.map(function (s, i) {
          var colour = PALETTE[i % PALETTE.length];
          return {
            label: s.label.length > 60 ? s.label.slice(0, 57) + "…" : s.label,
            data: s.data,
            borderColor: colour,
            backgroundColor: colour,
            spanGaps: false,
            tension: 0.2,
          };
        }),
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: yScale },
      },
    });
  }

  if (data.trend) {
    lineChart("trend-ratings", data.trend.ratings, { min: 1, max: 5, title: { display: true, text: "Average (1-5)" } });
    lineChart("trend-nps", data.trend.nps, { min: -100, max: 100, title: { display: true, text: "NPS" } });
  }
})();
