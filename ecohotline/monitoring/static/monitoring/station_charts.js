/* A station's charts: one line of hourly values per parameter (the page's JSON: start, values with null for a
 * missing hour, unit, limit), with the hourly limit as a red line where there is one. */
(function () {
  "use strict";

  function draw(container) {
    var data = JSON.parse(document.getElementById(container.dataset.jsonId).textContent);
    var start = new Date(data.start).getTime();
    var points = data.values.map(function (value, hour) { return [start + hour * 3600 * 1000, value]; });
    var series = { type: "line", showSymbol: false, connectNulls: false, data: points, lineStyle: { width: 1.5 },
                   itemStyle: { color: "#198754" } };
    if (data.limit !== null) {
      series.markLine = { silent: true, symbol: "none", lineStyle: { color: "#dc3545", type: "solid" },
                          label: { position: "insideEndTop", formatter: container.dataset.limitLabel + " " + data.limit },
                          data: [{ yAxis: data.limit }] };
    }
    var chart = echarts.init(container);
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "time" },
      // Room for the limit line even when the values stay well below it.
      yAxis: { type: "value", min: 0, max: data.limit === null ? null : function (extent) {
        return Math.ceil(Math.max(extent.max, data.limit) * 1.1);
      } },
      series: [series]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    if (typeof echarts === "undefined") {
      return;
    }
    document.querySelectorAll(".station-chart").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
