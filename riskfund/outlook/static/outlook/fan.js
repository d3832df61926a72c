/* riskfund outlook: the fan chart of the compensation ratio (N ÷ F). Every <canvas class="rf-outlook-fan"> reads the
   json_script element named by its data-source: realised ratios before the as-of date, the P5–P95 band and the
   median after it, the suspension line (art. 37). Figures arrive as exact decimal strings and become numbers only
   to be plotted; tooltips show the original strings. Needs Chart.js on the page (served locally). No inline script. */
(function () {
  "use strict";

  var DAY = 86400000;

  function percent(value) {
    return value === null || value === undefined ? null : Number(value) * 100;
  }

  function shown(value) {
    return value === null || value === undefined ? "" : (Number(value) * 100).toFixed(2) + " %";
  }

  function days(iso) {
    return Date.parse(iso + "T00:00:00Z") / DAY;
  }

  function month(day) {
    var d = new Date(day * DAY);
    return d.getUTCFullYear() + "-" + String(d.getUTCMonth() + 1).padStart(2, "0");
  }

  function series(dates, values) {
    return dates.map(function (iso, i) {
      return { x: days(iso), y: percent(values[i]), raw: values[i] };
    });
  }

  function draw(canvas) {
    var node = document.getElementById(canvas.getAttribute("data-source"));
    if (!node || !window.Chart || canvas.getAttribute("data-drawn")) {
      return;
    }
    canvas.setAttribute("data-drawn", "1");
    var data = JSON.parse(node.textContent);
    var L = data.labels || {};
    var f = data.forecast;
    var h = data.history || { dates: [], ratio: [] };
    var first = h.dates.length ? days(h.dates[0]) : days(f.dates[0]);
    var last = days(f.dates[f.dates.length - 1]);
    var line = [
      { x: first, y: percent(data.threshold), raw: data.threshold },
      { x: last, y: percent(data.threshold), raw: data.threshold },
    ];
    new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          { label: L.realised, data: series(h.dates, h.ratio), borderColor: "#2c6fbb", pointRadius: 0, tension: 0.1 },
          {
            label: L.p95,
            data: series(f.dates, f.p95),
            borderColor: "rgba(230,126,34,0.6)",
            backgroundColor: "rgba(230,126,34,0.18)",
            pointRadius: 0,
            fill: "+1",
          },
          { label: L.p5, data: series(f.dates, f.p5), borderColor: "rgba(230,126,34,0.6)", pointRadius: 0, fill: false },
          { label: L.median, data: series(f.dates, f.p50), borderColor: "#d35400", borderDash: [5, 3], pointRadius: 2 },
          { label: L.threshold, data: line, borderColor: "#c0392b", borderWidth: 2, pointRadius: 0 },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        scales: {
          x: { type: "linear", min: first, max: last, ticks: { callback: month, maxTicksLimit: 12 } },
          y: { beginAtZero: true, suggestedMax: percent(data.threshold) * 1.3, ticks: { callback: function (v) { return v + " %"; } } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? month(items[0].parsed.x) : ""; },
              label: function (ctx) { return ctx.dataset.label + ": " + shown(ctx.raw.raw); },
            },
          },
        },
      },
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas.rf-outlook-fan"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
