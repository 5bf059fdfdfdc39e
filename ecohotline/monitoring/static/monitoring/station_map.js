/* The station map: Beijing's district outlines (echarts 4.9's map/json/province/beijing.json, in GCJ-02) with
 * a point per station; the page gives the points already in GCJ-02 (core.geo.wgs84_to_gcj02 on the server).
 * A station with open alerts is red and larger. Clicking a point opens the station. */
(function () {
  "use strict";

  function draw(container, geoJson, points) {
    echarts.registerMap("beijing", geoJson);
    container.classList.remove("d-none");
    var chart = echarts.init(container);
    var label = container.dataset.alertLabel;
    // Zoom to the stations, with a margin, rather than the whole municipality.
    var lngs = points.map(function (point) { return point.lng; });
    var lats = points.map(function (point) { return point.lat; });
    var pad = 0.08;
    var bounds = [[Math.min.apply(null, lngs) - pad, Math.max.apply(null, lats) + pad],
                  [Math.max.apply(null, lngs) + pad, Math.min.apply(null, lats) - pad]];
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: function (item) {
        return item.data.name + (item.data.alerts ? " · " + item.data.alerts + " " + label : "");
      } },
      geo: { map: "beijing", roam: true, boundingCoords: bounds, itemStyle: { areaColor: "#f3f6f4", borderColor: "#9aa5a0" },
             emphasis: { disabled: true }, select: { disabled: true }, label: { show: false },
             tooltip: { show: false } },
      series: [{
        type: "scatter", coordinateSystem: "geo",
        data: points.map(function (point) {
          return { name: point.name, url: point.url, alerts: point.alerts, value: [point.lng, point.lat],
                   symbolSize: point.alerts ? 16 : 10,
                   itemStyle: { color: point.alerts ? "#dc3545" : "#198754" } };
        })
      }]
    });
    chart.on("click", function (item) {
      if (item.data && item.data.url) {
        window.location.href = item.data.url;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var container = document.getElementById("station-map");
    var data = document.getElementById("station-points");
    if (!container || !data || typeof echarts === "undefined" || !window.fetch) {
      return;
    }
    var points = JSON.parse(data.textContent);
    fetch(container.dataset.geojsonUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (geoJson) { draw(container, geoJson, points); })
      .catch(function () { container.classList.add("d-none"); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
