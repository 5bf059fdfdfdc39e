/* The public report form's map: Beijing's district outlines (echarts 4.9's beijing.json, GCJ-02), zoomed to the
 * bureau's district. A tap puts a pin and fills the hidden longitude/latitude fields (in GCJ-02, the map's
 * system; the server converts to WGS-84). "Use my location" takes the phone's position (WGS-84) and converts it
 * to GCJ-02 with ui/case_map.js's copy of the formula that ecohotline/core/geo.py (wgs84_to_gcj02) uses.
 * Without JavaScript none of this shows and the address field alone places the report.
 */
(function () {
  "use strict";

  // The GCJ-02 conversion and the district's bounds: ui/case_map.js, loaded before this file.
  var wgs84ToGcj02 = window.EcoHotlineMap.wgs84ToGcj02;
  var districtBounds = window.EcoHotlineMap.districtBounds;

  function start() {
    var picker = document.querySelector("[data-place-map]");
    if (!picker || typeof echarts === "undefined" || !window.fetch) {
      return;
    }
    var form = picker.closest("form");
    var lngField = form.querySelector("input[name=longitude]");
    var latField = form.querySelector("input[name=latitude]");
    var container = document.getElementById("place-map");
    var chosen = document.getElementById("place-chosen");
    var clear = document.getElementById("place-clear");
    var locate = document.getElementById("place-locate");
    var chart = null;

    function show(point, text) {
      if (point) {
        lngField.value = point[0].toFixed(6);
        latField.value = point[1].toFixed(6);
      } else {
        lngField.value = "";
        latField.value = "";
      }
      chosen.textContent = text || "";
      chosen.classList.toggle("d-none", !point);
      clear.classList.toggle("d-none", !point);
      if (chart) {
        chart.setOption({ series: [{ data: point ? [point] : [] }] });
      }
    }

    function draw(geoJson) {
      echarts.registerMap("beijing", geoJson);
      picker.classList.remove("d-none");
      chart = echarts.init(container);
      var bounds = districtBounds(geoJson, picker.dataset.district);
      var geo = window.EcoHotlineMap.districtGeo(bounds);
      geo.scaleLimit = { min: 0.8, max: 40 };  // the picker zooms far in, hardly out
      chart.setOption({
        animation: false,
        geo: geo,
        series: [{
          type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 36, symbolOffset: [0, "-40%"],
          itemStyle: { color: "#dc3545" }, silent: true, data: []
        }]
      });
      chart.getZr().on("click", function (event) {
        var point = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
        if (point && isFinite(point[0]) && isFinite(point[1])) {
          show(point, chosen.dataset.chosenText);
        }
      });
      if (lngField.value && latField.value) {  // the form came back with an error: keep the pin
        show([parseFloat(lngField.value), parseFloat(latField.value)], chosen.dataset.chosenText);
      }
      window.addEventListener("resize", function () { chart.resize(); });
    }

    clear.addEventListener("click", function () { show(null, ""); });
    if (navigator.geolocation) {
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (position) {
          show(wgs84ToGcj02(position.coords.longitude, position.coords.latitude), chosen.dataset.locatedText);
        }, function () {
          chosen.textContent = chosen.dataset.failedText;
          chosen.classList.remove("d-none");
        }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
      });
    } else {
      locate.classList.add("d-none");
    }
    fetch(picker.dataset.geojsonUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(draw)
      .catch(function () { picker.classList.add("d-none"); });
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { wgs84ToGcj02: wgs84ToGcj02, districtBounds: districtBounds };
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
