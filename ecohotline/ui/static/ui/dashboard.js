/* The leaders' dashboard (领导驾驶舱): the 12-month trend of the rates and the map of cases per street.
 *
 * Everything comes from the page's <script id="dashboard-data" type="application/json"> (json_script): the
 * figures are computed on the server (assessment.rankings / assessment.selectors) and the tables under each
 * chart say the same without JavaScript. Rates arrive as fractions (0.963) or null (nothing to divide by);
 * street points arrive in GCJ-02, the system of the district outlines (echarts 4.9's beijing.json).
 */
(function () {
  "use strict";

  var COLOURS = {
    response_rate: "#0d6efd",
    resolution_rate: "#198754",
    satisfaction_rate: "#fd7e14",
    on_time_rate: "#6f42c1",
    composite: "#212529"
  };

  function percent(value) {
    return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
  }

  function score(value) {
    return value === null || value === undefined ? "—" : value.toFixed(1);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function drawTrend(container, data) {
    var points = data.trend || [];
    if (!points.length) {
      return;
    }
    container.classList.remove("d-none");
    var chart = echarts.init(container);
    var names = data.text.series;
    var rates = ["response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate"];
    var series = rates.map(function (key) {
      return {
        name: names[key], type: "line", key: key, symbolSize: 6, connectNulls: false,
        itemStyle: { color: COLOURS[key] }, lineStyle: { width: 2 },
        data: points.map(function (point) {
          return point[key] === null ? null : Math.round(point[key] * 1000) / 10;
        })
      };
    });
    series.push({
      name: names.composite, type: "line", key: "composite", symbolSize: 6, connectNulls: false,
      itemStyle: { color: COLOURS.composite }, lineStyle: { width: 2, type: "dashed" },
      data: points.map(function (point) {
        return point.composite === null ? null : Math.round(point.composite * 10) / 10;
      })
    });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 24, top: 64, bottom: 28 },
      legend: { top: 0, left: "center", itemGap: 12, itemWidth: 18, textStyle: { fontSize: 11 } },
      tooltip: {
        trigger: "axis",
        formatter: function (items) {
          if (!items.length) {
            return "";
          }
          var point = points[items[0].dataIndex];
          var lines = ["<strong>" + escapeHtml(point.label) + "</strong> · " + escapeHtml(data.text.assessed) + " "
                       + point.assessed];
          items.forEach(function (item) {
            var key = series[item.seriesIndex].key;
            var shown = key === "composite" ? score(point[key]) : percent(point[key]);
            lines.push(item.marker + escapeHtml(item.seriesName) + ": " + shown);
          });
          return lines.join("<br>");
        }
      },
      xAxis: { type: "category", boundaryGap: false, data: points.map(function (point) { return point.label; }) },
      yAxis: {
        type: "value", max: 100,
        min: function (extent) {
          return isFinite(extent.min) ? Math.max(0, Math.floor((extent.min - 2) / 5) * 5) : 0;
        },
        axisLabel: { formatter: "{value}" }
      },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
    // The chart shows what the table says: fold the table away (it stays one click off).
    var figures = document.getElementById("dashboard-trend-figures");
    if (figures) {
      figures.open = false;
    }
  }

  function drawVolume(container, data) {
    var points = data.trend || [];
    if (!points.length) {
      return;
    }
    container.classList.remove("d-none");
    var chart = echarts.init(container);
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 24, top: 32, bottom: 28 },
      legend: { top: 0, left: "center", itemWidth: 14, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: points.map(function (point) { return point.label; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.text.assessed, type: "bar", itemStyle: { color: "#198754" }, barGap: "10%",
          data: points.map(function (point) { return point.assessed; }) },
        { name: data.text.completed, type: "bar", itemStyle: { color: "#adb5bd" },
          data: points.map(function (point) { return point.completed; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  /* Zoom to the streets with a margin. geo.boundingCoords leaves the whole municipality in view with these
   * outlines, so measure the streets' extent in pixels at zoom 1 and zoom in by what fits. */
  function fitTo(chart, container, streets) {
    var lngs = streets.map(function (street) { return street.lng; });
    var lats = streets.map(function (street) { return street.lat; });
    var west = Math.min.apply(null, lngs), east = Math.max.apply(null, lngs);
    var south = Math.min.apply(null, lats), north = Math.max.apply(null, lats);
    var topLeft = chart.convertToPixel({ geoIndex: 0 }, [west, north]);
    var bottomRight = chart.convertToPixel({ geoIndex: 0 }, [east, south]);
    if (!topLeft || !bottomRight) {
      return;
    }
    var spanX = Math.max(Math.abs(bottomRight[0] - topLeft[0]), 1);
    var spanY = Math.max(Math.abs(bottomRight[1] - topLeft[1]), 1);
    var zoom = Math.min((container.clientWidth - 80) / spanX, (container.clientHeight - 60) / spanY, 40);
    chart.setOption({ geo: { center: [(west + east) / 2, (south + north) / 2], zoom: Math.max(zoom, 1) } });
  }

  function drawMap(container, geoJson, data) {
    var streets = (data.streets || []).filter(function (street) {
      return street.lng !== null && street.lat !== null;
    });
    if (!streets.length) {
      return;
    }
    echarts.registerMap("beijing", geoJson);
    container.classList.remove("d-none");
    var chart = echarts.init(container);
    var text = data.text;
    var most = Math.max.apply(null, streets.map(function (street) { return street.received; }).concat([1]));
    function item(street) {
      var size = street.received ? 10 + 22 * Math.sqrt(street.received / most) : 6;
      return {
        name: street.name, url: street.url, received: street.received, open: street.open,
        overdue: street.overdue, value: [street.lng, street.lat, street.received], symbolSize: size,
        label: { show: size >= 18 },
        itemStyle: street.overdue ? { borderColor: "#dc3545", borderWidth: 2 } : {}
      };
    }
    var geo = {
      map: "beijing", roam: true,
      itemStyle: { areaColor: "#f3f6f4", borderColor: "#9aa5a0" },
      emphasis: { disabled: true }, select: { disabled: true }, label: { show: false }, tooltip: { show: false },
      regions: (data.districts || []).map(function (name) {
        return { name: name, itemStyle: { areaColor: "#e7f1ea", borderColor: "#198754", borderWidth: 1.5 } };
      })
    };
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        formatter: function (entry) {
          var street = entry.data;
          return "<strong>" + escapeHtml(street.name) + "</strong><br>"
            + escapeHtml(text.received) + ": " + street.received + "<br>"
            + escapeHtml(text.open) + ": " + street.open + "<br>"
            + escapeHtml(text.overdue) + ": " + street.overdue;
        }
      },
      visualMap: {
        type: "continuous", seriesIndex: 1, dimension: 2, min: 0, max: most, calculable: false,
        show: streets.some(function (street) { return street.received > 0; }),
        left: 8, bottom: 8, itemHeight: 80, itemWidth: 10, text: [String(most), "0"],
        textStyle: { fontSize: 11 }, inRange: { color: ["#9fd8b0", "#f2c14e", "#e8590c", "#c92a2a"] }
      },
      geo: geo,
      series: [
        {
          // The series' own tooltip setting: the geo component's (off, for the outlines) would otherwise win.
          name: "none", type: "scatter", coordinateSystem: "geo", tooltip: { show: true },
          itemStyle: { color: "#adb5bd" },
          data: streets.filter(function (street) { return !street.received; }).map(item)
        },
        {
          name: "received", type: "scatter", coordinateSystem: "geo", tooltip: { show: true },
          label: { position: "inside", color: "#fff", fontSize: 10, fontWeight: "bold",
                   formatter: function (entry) { return entry.data.received; } },
          data: streets.filter(function (street) { return street.received; }).map(item)
        }
      ]
    });
    fitTo(chart, container, streets);
    chart.on("click", function (entry) {
      if (entry.data && entry.data.url) {
        window.location.href = entry.data.url;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var trend = document.getElementById("dashboard-trend-chart");
    if (trend) {
      drawTrend(trend, data);
    }
    var volume = document.getElementById("dashboard-volume-chart");
    if (volume) {
      drawVolume(volume, data);
    }
    var map = document.getElementById("dashboard-street-map");
    if (map && window.fetch) {
      fetch(map.dataset.geojsonUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (geoJson) { drawMap(map, geoJson, data); })
        .catch(function () { map.classList.add("d-none"); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
