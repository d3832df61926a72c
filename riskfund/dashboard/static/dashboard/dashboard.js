/* riskfund dashboard: draws the admin index charts from the json_script data (#rf-dashboard-data).
   Amounts arrive as exact decimal strings; they become numbers only to be plotted, and tooltips show the
   original strings. Chart.js is served locally (vendor/chart.umd.min.js). */
(function () {
  "use strict";

  function num(value) {
    return value === null || value === undefined ? 0 : Number(value);
  }

  function tooltipWith(strings) {
    return {
      callbacks: {
        label: function (ctx) {
          var shown = strings[ctx.datasetIndex] ? strings[ctx.datasetIndex][ctx.dataIndex] : ctx.formattedValue;
          return (ctx.dataset.label ? ctx.dataset.label + ": " : "") + shown;
        },
      },
    };
  }

  function make(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return null;
    }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
    return new window.Chart(canvas, config);
  }

  function draw() {
    var node = document.getElementById("rf-dashboard-data");
    if (!node || !window.Chart) {
      return;
    }
    var data = JSON.parse(node.textContent);
    var L = data.labels;

    if (data.capacity && data.capacity.used !== null && data.capacity.used !== undefined) {
      var used = num(data.capacity.used);
      var available = Math.max(0, num(data.capacity.available));
      make("chart-capacity", {
        type: "doughnut",
        data: {
          labels: [L.used, L.available],
          datasets: [{ data: [used, available], backgroundColor: ["#c0392b", "#27ae60"] }],
        },
        options: {
          circumference: 180,
          rotation: -90,
          cutout: "60%",
          plugins: { tooltip: tooltipWith([[data.capacity.used, data.capacity.available]]) },
        },
      });
    }

    var h = data.history || {};
    if (h.dates && h.dates.length) {
      make("chart-ratio", {
        type: "line",
        data: {
          labels: h.dates,
          datasets: [
            { label: L.ratio, data: h.ratio.map(num), borderColor: "#2c6fbb", pointRadius: 0, tension: 0.1 },
            { label: L.threshold, data: h.threshold.map(num), borderColor: "#c0392b", borderDash: [6, 4], pointRadius: 0 },
          ],
        },
        options: {
          scales: { y: { beginAtZero: true, suggestedMax: Math.max.apply(null, h.threshold.map(num)) * 1.2 } },
          plugins: { tooltip: tooltipWith([h.ratio, h.threshold]) },
        },
      });
      if (h.pool_balance && h.pool_balance.length) {
        make("chart-balance", {
          type: "line",
          data: {
            labels: h.dates,
            datasets: [
              { label: L.balance, data: h.pool_balance.map(num), borderColor: "#27ae60", pointRadius: 0 },
              { label: L.outstanding, data: h.outstanding.map(num), borderColor: "#8e44ad", pointRadius: 0 },
            ],
          },
          options: { plugins: { tooltip: tooltipWith([h.pool_balance, h.outstanding]) } },
        });
      }
    }

    var districts = data.districts || [];
    make("chart-districts", {
      type: "bar",
      data: {
        labels: districts.map(function (r) { return r.name; }),
        datasets: [
          {
            label: L.outstanding,
            data: districts.map(function (r) { return num(r.outstanding); }),
            backgroundColor: districts.map(function (r) { return r.over_cap ? "#c0392b" : "#2c6fbb"; }),
          },
          { label: L.cap, data: districts.map(function (r) { return num(r.cap); }), backgroundColor: "rgba(127,140,141,0.45)" },
        ],
      },
      options: {
        plugins: {
          tooltip: tooltipWith([districts.map(function (r) { return r.outstanding; }), districts.map(function (r) { return r.cap; })]),
        },
      },
    });

    var banks = data.banks || [];
    make("chart-banks", {
      type: "bar",
      data: {
        labels: banks.map(function (r) { return r.name; }),
        datasets: [
          {
            label: L.outstanding,
            data: banks.map(function (r) { return num(r.outstanding); }),
            backgroundColor: banks.map(function (r) { return r.topup_needed ? "#c0392b" : "#2c6fbb"; }),
          },
          { label: L.trigger, data: banks.map(function (r) { return num(r.trigger); }), backgroundColor: "rgba(243,156,18,0.55)" },
        ],
      },
      options: {
        plugins: {
          tooltip: tooltipWith([banks.map(function (r) { return r.outstanding; }), banks.map(function (r) { return r.trigger; })]),
        },
      },
    });

    var buckets = data.buckets || [];
    make("chart-buckets", {
      type: "bar",
      data: {
        labels: buckets.map(function (r) { return r.label; }),
        datasets: [
          {
            label: L.count,
            data: buckets.map(function (r) { return r.count; }),
            backgroundColor: ["#27ae60", "#f1c40f", "#e67e22", "#d35400", "#c0392b"],
          },
        ],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
