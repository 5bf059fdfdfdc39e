/* The insight analysis and forecast pages: ECharts charts drawn from the page's json_script data
 * (<script id="analysis-data"> or <script id="forecast-data">). Every figure is computed on the server
 * (insight.analysis, insight.forecast); the tables beside each chart say the same without JavaScript.
 */
(function () {
  "use strict";

  function show(container) {
    container.classList.remove("d-none");
    return echarts.init(container);
  }

  function bars(container, rows, text) {
    if (!container || !rows.length) {
      return;
    }
    var chart = show(container);
    var labels = rows.map(function (row) { return row[0]; });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 140, right: 20, top: 30, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: labels, inverse: true },
      series: [
        { name: text.current, type: "bar", data: rows.map(function (row) { return row[1]; }) },
        { name: text.previous, type: "bar", data: rows.map(function (row) { return row[2]; }) },
        { name: text.year_before, type: "bar", data: rows.map(function (row) { return row[3]; }) }
      ]
    });
  }

  function heatmap(container, data) {
    if (!container) {
      return;
    }
    var chart = show(container);
    var hours = [];
    for (var h = 0; h < 24; h += 1) {
      hours.push(String(h));
    }
    chart.setOption({
      animation: false,
      tooltip: { position: "top" },
      grid: { left: 70, right: 20, top: 10, bottom: 70 },
      xAxis: { type: "category", data: hours, splitArea: { show: true } },
      yAxis: { type: "category", data: data.weekdays, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max: Math.max(data.max, 1), calculable: true, orient: "horizontal", left: "center",
                   bottom: 0, inRange: { color: ["#f0f9e8", "#7bccc4", "#0868ac"] } },
      series: [{ type: "heatmap", data: data.values }]
    });
  }

  function months(container, rows, text) {
    if (!container || !rows.length) {
      return;
    }
    var chart = show(container);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: rows.map(function (row) { return row[0]; }) },
      yAxis: { type: "value" },
      series: [
        { name: text.current, type: "line", data: rows.map(function (row) { return row[1]; }) },
        { name: text.year_before, type: "line", lineStyle: { type: "dashed" },
          data: rows.map(function (row) { return row[2]; }) }
      ]
    });
  }

  function forecastChart(container, item, text) {
    var chart = show(container);
    var history = item.history.slice(-52);
    var weeks = history.map(function (p) { return p.week; }).concat(item.forecast.map(function (p) { return p.week; }));
    var pad = history.map(function () { return null; });
    function band(lowKey, highKey) {
      return {
        low: pad.concat(item.forecast.map(function (p) { return p[lowKey]; })),
        width: pad.concat(item.forecast.map(function (p) { return p[highKey] - p[lowKey]; }))
      };
    }
    var b95 = band("lower_95", "upper_95");
    var b80 = band("lower_80", "upper_80");
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [text.history, text.forecast, text.interval_80, text.interval_95] },
      grid: { left: 50, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", data: weeks },
      yAxis: { type: "value" },
      series: [
        { name: "low95", type: "line", stack: "b95", data: b95.low, lineStyle: { opacity: 0 }, symbol: "none",
          tooltip: { show: false } },
        { name: text.interval_95, type: "line", stack: "b95", data: b95.width, lineStyle: { opacity: 0 },
          symbol: "none", areaStyle: { color: "#cfe2ff" } },
        { name: "low80", type: "line", stack: "b80", data: b80.low, lineStyle: { opacity: 0 }, symbol: "none",
          tooltip: { show: false } },
        { name: text.interval_80, type: "line", stack: "b80", data: b80.width, lineStyle: { opacity: 0 },
          symbol: "none", areaStyle: { color: "#9ec5fe" } },
        { name: text.history, type: "line", symbolSize: 3, itemStyle: { color: "#198754" },
          data: history.map(function (p) { return p.count; }) },
        { name: text.forecast, type: "line", symbolSize: 4, itemStyle: { color: "#0d6efd" },
          lineStyle: { type: "dashed" }, data: pad.concat(item.forecast.map(function (p) { return p.mean; })) }
      ]
    });
  }

  function start() {
    if (typeof echarts === "undefined") {
      return;
    }
    var analysis = document.getElementById("analysis-data");
    if (analysis) {
      var data = JSON.parse(analysis.textContent);
      bars(document.getElementById("chart-category"), data.category, data.text);
      bars(document.getElementById("chart-industry"), data.industry, data.text);
      heatmap(document.getElementById("chart-heatmap"), data.heatmap);
      months(document.getElementById("chart-months"), data.months, data.text);
    }
    var forecast = document.getElementById("forecast-data");
    if (forecast) {
      var found = JSON.parse(forecast.textContent);
      document.querySelectorAll(".forecast-chart").forEach(function (container) {
        var item = found.forecasts[Number(container.getAttribute("data-index"))];
        if (item) {
          forecastChart(container, item, found.text);
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
