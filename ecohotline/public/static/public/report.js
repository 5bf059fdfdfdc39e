/* The public report form's map: Beijing's district outlines (echarts 4.9's beijing.json, GCJ-02), zoomed to the
 * bureau's district. A tap puts a pin and fills the hidden longitude/latitude fields (in GCJ-02, the map's
 * system; the server converts to WGS-84). "Use my location" takes the phone's position (WGS-84) and converts it
 * to GCJ-02 with the published formula that ecohotline/core/geo.py (wgs84_to_gcj02) and ui/case_map.js use.
 * Without JavaScript none of this shows and the address field alone places the report.
 */
(function () {
  "use strict";

  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function transformLat(x, y) {
    var ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return ret;
  }

  function transformLng(x, y) {
    var ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    ret += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    ret += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    ret += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return ret;
  }

  function wgs84ToGcj02(lng, lat) {
    if (!(lng > 73.66 && lng < 135.05 && lat > 3.86 && lat < 53.55)) {
      return [lng, lat];
    }
    var dlat = transformLat(lng - 105.0, lat - 35.0);
    var dlng = transformLng(lng - 105.0, lat - 35.0);
    var radlat = lat / 180.0 * Math.PI;
    var magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sqrtmagic = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * Math.PI);
    dlng = (dlng * 180.0) / (A / sqrtmagic * Math.cos(radlat) * Math.PI);
    return [lng + dlng, lat + dlat];
  }

  /* The bounding box of one district of the compressed ("UTF8Encoding") echarts 4 map file. */
  function decodeRing(text, offsets, scale) {
    var points = [];
    var prevX = offsets[0];
    var prevY = offsets[1];
    for (var i = 0; i + 1 < text.length; i += 2) {
      var x = text.charCodeAt(i) - 64;
      var y = text.charCodeAt(i + 1) - 64;
      x = (x >> 1) ^ (-(x & 1));
      y = (y >> 1) ^ (-(y & 1));
      x += prevX;
      y += prevY;
      prevX = x;
      prevY = y;
      points.push([x / scale, y / scale]);
    }
    return points;
  }

  function districtBounds(geoJson, district) {
    if (!district) {
      return null;
    }
    var feature = (geoJson.features || []).filter(function (item) {
      var name = (item.properties || {}).name || "";
      return name === district || name.indexOf(district) === 0 || district.indexOf(name) === 0;
    })[0];
    if (!feature) {
      return null;
    }
    var geometry = feature.geometry || {};
    var multi = geometry.type === "MultiPolygon";
    var polygons = multi ? geometry.coordinates : [geometry.coordinates || []];
    var offsets = multi ? geometry.encodeOffsets : [geometry.encodeOffsets];
    var scale = geoJson.UTF8Scale || 1024;
    var box = [Infinity, Infinity, -Infinity, -Infinity];
    polygons.forEach(function (polygon, p) {
      polygon.forEach(function (ring, r) {
        var points = geoJson.UTF8Encoding ? decodeRing(ring, offsets[p][r], scale) : ring;
        points.forEach(function (point) {
          box = [Math.min(box[0], point[0]), Math.min(box[1], point[1]),
                 Math.max(box[2], point[0]), Math.max(box[3], point[1])];
        });
      });
    });
    if (!isFinite(box[0])) {
      return null;
    }
    return { name: feature.properties.name, coords: [[box[0], box[3]], [box[2], box[1]]] };
  }

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
      var geo = {
        map: "beijing",
        roam: true,
        scaleLimit: { min: 0.8, max: 40 },
        itemStyle: { areaColor: "#f3f6f4", borderColor: "#9aa5a0" },
        emphasis: { disabled: true },
        select: { disabled: true },
        label: { show: false },
        tooltip: { show: false }
      };
      if (bounds) {
        geo.boundingCoords = bounds.coords;
        geo.regions = [{ name: bounds.name, itemStyle: { areaColor: "#d8eadf", borderColor: "#198754", borderWidth: 2 } }];
      }
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
