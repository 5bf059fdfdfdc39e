/* The hotspots page (热点区域): hot and cold grid cells, and the emerging ones, on the district map.
 *
 * Everything comes from the page's <script id="hotspots-data" type="application/json"> (json_script): the
 * statistics are computed on the server (insight.hotspots / insight.emerging) and the tables of the page say the
 * same without JavaScript. Cell corners arrive in GCJ-02, the system of the outlines (echarts 4.9's beijing.json).
 */
(function () {
  "use strict";

  var COLOURS = {
    hot: "rgba(201, 42, 42, 0.55)", cold: "rgba(13, 110, 253, 0.45)",
    "new": "#e8590c", intensifying: "#c92a2a", persistent: "#862e9c", diminishing: "#2b8a3e", sporadic: "#f59f00"
  };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function centre(polygon) {
    var lng = 0, lat = 0;
    polygon.forEach(function (point) { lng += point[0]; lat += point[1]; });
    return [lng / polygon.length, lat / polygon.length];
  }

  function cellSeries(name, items, colour, fill, outline) {
    return {
      name: name, type: "custom", coordinateSystem: "geo", tooltip: { show: true }, itemStyle: { color: colour },
      data: items.map(function (item) {
        var middle = centre(item.polygon);
        return { value: [middle[0], middle[1]], item: item };
      }),
      renderItem: function (params, api) {
        var item = items[params.dataIndex];
        var points = item.polygon.map(function (point) { return api.coord(point); });
        return {
          type: "polygon", shape: { points: points },
          style: outline ? { fill: "none", stroke: outline(item), lineWidth: 2 } : { fill: fill(item), stroke: null }
        };
      }
    };
  }

  function fit(chart, container, items) {
    var lngs = [], lats = [];
    items.forEach(function (item) {
      item.polygon.forEach(function (point) { lngs.push(point[0]); lats.push(point[1]); });
    });
    if (!lngs.length) {
      return;
    }
    var west = Math.min.apply(null, lngs), east = Math.max.apply(null, lngs);
    var south = Math.min.apply(null, lats), north = Math.max.apply(null, lats);
    var topLeft = chart.convertToPixel({ geoIndex: 0 }, [west, north]);
    var bottomRight = chart.convertToPixel({ geoIndex: 0 }, [east, south]);
    if (!topLeft || !bottomRight) {
      return;
    }
    var spanX = Math.max(Math.abs(bottomRight[0] - topLeft[0]), 1);
    var spanY = Math.max(Math.abs(bottomRight[1] - topLeft[1]), 1);
    var zoom = Math.min((container.clientWidth - 60) / spanX, (container.clientHeight - 60) / spanY, 60);
    chart.setOption({ geo: { center: [(west + east) / 2, (south + north) / 2], zoom: Math.max(zoom, 1) } });
  }

  function drawMap(container, geoJson, data) {
    var cells = data.cells || [];
    var rising = data.emerging || [];
    container.classList.remove("d-none");
    var chart = echarts.init(container);
    echarts.registerMap("beijing", geoJson);
    var text = data.text;
    var hot = cells.filter(function (cell) { return cell.kind === "hot"; });
    var cold = cells.filter(function (cell) { return cell.kind === "cold"; });
    chart.setOption({
      animation: false,
      legend: { bottom: 4, data: [text.hot, text.cold, text.emerging] },
      tooltip: {
        trigger: "item",
        formatter: function (entry) {
          var item = entry.data && entry.data.item;
          if (!item) {
            return "";
          }
          var head = item.label ? text.emerging + ": " + item.label : (item.kind === "hot" ? text.hot : text.cold);
          var lines = ["<strong>" + escapeHtml(head) + "</strong>", escapeHtml(text.complaints) + ": " + item.count];
          if (item.z !== undefined) {
            lines.push(escapeHtml(text.z) + ": " + item.z);
          }
          return lines.join("<br>");
        }
      },
      geo: {
        map: "beijing", roam: true,
        itemStyle: { areaColor: "#f3f6f4", borderColor: "#9aa5a0" },
        emphasis: { disabled: true }, select: { disabled: true }, label: { show: false }, tooltip: { show: false }
      },
      series: [
        cellSeries(text.hot, hot, COLOURS.hot, function () { return COLOURS.hot; }),
        cellSeries(text.cold, cold, COLOURS.cold, function () { return COLOURS.cold; }),
        cellSeries(text.emerging, rising, COLOURS.intensifying, null,
                   function (item) { return COLOURS[item.kind] || "#212529"; })
      ]
    });
    fit(chart, container, cells.length ? cells : rising);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var source = document.getElementById("hotspots-data");
    var map = document.getElementById("hotspots-map");
    if (!source || !map || typeof echarts === "undefined" || !window.fetch) {
      return;
    }
    var data = JSON.parse(source.textContent);
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
