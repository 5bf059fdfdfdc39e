/* The case page's map: Beijing's district outlines (echarts 4.9's map/json/province/beijing.json, drawn with
 * ECharts 5), zoomed to the case's district, with a pin at the case's point.
 *
 * The outlines are in GCJ-02 (the district centres in the file are 高德's), the case's point is stored in
 * WGS-84, so the pin is moved to GCJ-02 with the published formula that ecohotline/core/geo.py uses
 * (wgs84_to_gcj02; ui/tests/test_case_map.py checks under node that the two agree). Without it the pin
 * would sit a few hundred metres off the outlines. The conversion and the district's bounds are shared with
 * the other maps as window.EcoHotlineMap, with the district-zoomed `geo` option (load this file first).
 */
(function () {
  "use strict";

  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function outOfChina(lng, lat) {
    return !(lng > 73.66 && lng < 135.05 && lat > 3.86 && lat < 53.55);
  }

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
    if (outOfChina(lng, lat)) {
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

  /* echarts 4's map files are compressed ("UTF8Encoding"): each ring is a string of zigzag-encoded deltas
   * from its encodeOffsets. ECharts decodes them itself when drawing; the bounding box of one district is
   * needed before that, so decode only that district's rings here. */
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

  function featureRings(feature, encoded, scale) {
    var geometry = feature.geometry || {};
    var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates || []];
    var offsets = geometry.type === "MultiPolygon" ? geometry.encodeOffsets : [geometry.encodeOffsets];
    var rings = [];
    polygons.forEach(function (polygon, p) {
      polygon.forEach(function (ring, r) {
        rings.push(encoded ? decodeRing(ring, offsets[p][r], scale) : ring);
      });
    });
    return rings;
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
    var scale = geoJson.UTF8Scale || 1024;
    var minLng = Infinity, minLat = Infinity, maxLng = -Infinity, maxLat = -Infinity;
    featureRings(feature, geoJson.UTF8Encoding, scale).forEach(function (ring) {
      ring.forEach(function (point) {
        minLng = Math.min(minLng, point[0]);
        maxLng = Math.max(maxLng, point[0]);
        minLat = Math.min(minLat, point[1]);
        maxLat = Math.max(maxLat, point[1]);
      });
    });
    if (!isFinite(minLng)) {
      return null;
    }
    return { name: feature.properties.name, coords: [[minLng, maxLat], [maxLng, minLat]] };
  }

  /* The ECharts `geo` option of Beijing's outlines, zoomed to and drawing out the district of `bounds`. */
  function districtGeo(bounds) {
    var geo = {
      map: "beijing",
      roam: true,
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
    return geo;
  }

  function draw(container, geoJson) {
    var lng = parseFloat(container.dataset.lng);
    var lat = parseFloat(container.dataset.lat);
    var bounds = districtBounds(geoJson, container.dataset.district);
    echarts.registerMap("beijing", geoJson);
    container.classList.remove("d-none");
    var chart = echarts.init(container);
    var geo = districtGeo(bounds);
    chart.setOption({
      animation: false,
      geo: geo,
      series: [{
        type: "scatter",
        coordinateSystem: "geo",
        symbol: "pin",
        symbolSize: 36,
        symbolOffset: [0, "-40%"],
        itemStyle: { color: "#dc3545" },
        silent: true,
        data: [wgs84ToGcj02(lng, lat)]
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var container = document.querySelector("[data-case-map]");
    if (!container || typeof echarts === "undefined" || !window.fetch) {
      return;
    }
    if (isNaN(parseFloat(container.dataset.lng)) || isNaN(parseFloat(container.dataset.lat))) {
      return;
    }
    fetch(container.dataset.geojsonUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (geoJson) { draw(container, geoJson); })
      .catch(function () { container.classList.add("d-none"); });
  }

  var shared = { wgs84ToGcj02: wgs84ToGcj02, districtBounds: districtBounds, districtGeo: districtGeo };
  if (typeof module !== "undefined" && module.exports) {
    // Lets a test run the conversion and the decoding under node.
    module.exports = shared;
    return;
  }
  // For the other maps (the public report form's place picker): one copy of the conversion and the decoding.
  window.EcoHotlineMap = shared;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
