/* Charts of the progress dashboard. Data comes from the json_script tag "dashboard-data"
   written by reports.dashboard.chart_data; Chart.js 4 is vendored under static/vendor/chartjs. */
(function () {
  "use strict";

  function render() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var text = data.text;
    // Numbers as the page reads them: 1.234 in Vietnamese, 1,234 in English.
    var locale = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
    var number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    var common = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var value = ctx.parsed.y !== undefined ? ctx.parsed.y : ctx.parsed.x;
              return (ctx.dataset.label || "") + ": " + (value === null ? "–" : number.format(value));
            }
          }
        }
      },
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } } }
    };

    function make(id, config) {
      var canvas = document.getElementById(id);
      if (canvas) new Chart(canvas, config);
    }

    function withBand(id, label, values, low, high, lowLabel, highLabel, colour) {
      make(id, {
        type: "line",
        data: {
          labels: data.years,
          datasets: [
            { label: lowLabel, data: low, borderColor: "rgba(26,127,55,0.6)", borderDash: [4, 4],
              pointRadius: 3, pointStyle: "rectRot", fill: false, spanGaps: false },
            { label: highLabel, data: high, borderColor: "rgba(26,127,55,0.6)", borderDash: [4, 4],
              backgroundColor: "rgba(26,127,55,0.15)", pointRadius: 3, pointStyle: "rectRot", fill: "-1",
              spanGaps: false },
            { label: label, data: values, borderColor: colour, backgroundColor: colour, tension: 0.2 }
          ]
        },
        options: common
      });
    }

    withBand("chart-poor", text.poor, data.poor, data.poor_band_low, data.poor_band_high,
      text.band_low, text.band_high, "#b91c1c");
    withBand("chart-near-poor", text.near_poor, data.near_poor, data.near_poor_band_low,
      data.near_poor_band_high, text.near_band_low, text.near_band_high, "#b7791f");

    make("chart-movements", {
      type: "bar",
      data: {
        labels: data.years,
        datasets: [
          { label: text.escaped, data: data.escaped, backgroundColor: "#1a7f37" },
          { label: text.newly_poor, data: data.newly_poor, backgroundColor: "#c2410c" },
          { label: text.re_poor, data: data.re_poor, backgroundColor: "#b91c1c" }
        ]
      },
      options: common
    });

    var horizontal = Object.assign({}, common, {
      indexAxis: "y",
      plugins: { legend: { display: false }, tooltip: common.plugins.tooltip },
      scales: { x: { beginAtZero: true, ticks: { callback: function (v) { return number.format(v); } } } }
    });
    make("chart-subgroups", {
      type: "bar",
      data: { labels: data.subgroups.labels,
        datasets: [{ label: text.households, data: data.subgroups.values, backgroundColor: "#2563eb" }] },
      options: horizontal
    });
    make("chart-deprivations", {
      type: "bar",
      data: { labels: data.deprivations.labels,
        datasets: [{ label: text.households, data: data.deprivations.values, backgroundColor: "#7c3aed" }] },
      options: horizontal
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
