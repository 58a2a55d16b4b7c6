/* Maps with Leaflet (vendored): the results map, in step with the list, and the detail page's map.
   Points close together at the current zoom are grouped (a simple pixel grid), so a country-wide
   search shows a few numbered circles; a circle zooms in when chosen. Markers are buttons: Tab
   reaches them, Enter chooses them. */
(function () {
  "use strict";
  var CELL = 56;  /* px: points closer than this on screen share a cluster */

  function baseMap(el) {
    var map = L.map(el, {scrollWheelZoom: false});
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(el.getAttribute("data-tiles"), {
      maxZoom: 18, attribution: el.getAttribute("data-attribution")
    }).addTo(map);
    return map;
  }

  function pin(label, count, extra) {
    return L.divIcon({
      className: "map-pin" + (count > 1 ? " map-cluster" : "") + (extra || ""),
      html: count > 1 ? "<span>" + count + "</span>" : "",
      iconSize: count > 1 ? [36, 36] : [22, 22]
    });
  }

  function results(el) {
    if (el.vhMap) { el.vhMap.invalidateSize(); return; }
    var cards = Array.prototype.slice.call(document.querySelectorAll("li.card[data-lat]"));
    if (!cards.length) return;
    var map = baseMap(el);
    el.vhMap = map;
    var points = cards.map(function (card, i) {
      card.setAttribute("data-point", String(i));
      return {card: card, latlng: L.latLng(+card.getAttribute("data-lat"), +card.getAttribute("data-lon")),
              title: card.getAttribute("data-title")};
    });
    var layer = L.layerGroup().addTo(map);
    var markerOf = {};
    var clusterLabel = el.getAttribute("data-cluster-label") || "{n}";

    function draw() {
      layer.clearLayers();
      markerOf = {};
      var zoom = map.getZoom(), cells = {};
      points.forEach(function (p, i) {
        var px = map.project(p.latlng, zoom);
        var key = Math.floor(px.x / CELL) + ":" + Math.floor(px.y / CELL);
        (cells[key] = cells[key] || []).push(i);
      });
      Object.keys(cells).forEach(function (key) {
        var members = cells[key];
        var bounds = L.latLngBounds(members.map(function (i) { return points[i].latlng; }));
        var title = members.length > 1
          ? clusterLabel.replace("{n}", members.length) : points[members[0]].title;
        var marker = L.marker(bounds.getCenter(), {icon: pin(title, members.length), title: title,
                                                   alt: title, keyboard: true, riseOnHover: true});
        function choose() {
          if (members.length > 1) {
            var same = bounds.getNorthEast().equals(bounds.getSouthWest());
            if (same || zoom >= map.getMaxZoom()) { listAt(marker, members); }
            else { map.fitBounds(bounds.pad(0.3), {maxZoom: Math.max(zoom + 2, 9)}); }
          } else {
            focusCard(points[members[0]].card);
          }
        }
        marker.on("click", choose);
        /* Leaflet's markers are focusable buttons but ignore Enter and Space unless a popup is bound. */
        marker.on("add", function () {
          marker.getElement().addEventListener("keydown", function (e) {
            if (e.key === "Enter" || e.key === " ") { e.preventDefault(); e.stopPropagation(); choose(); }
          });
        });
        marker.addTo(layer);
        members.forEach(function (i) { markerOf[i] = marker; });
      });
    }

    /* Several results at one place: a list of buttons, each bringing its card forward. */
    function listAt(marker, members) {
      var list = document.createElement("ul");
      list.className = "map-list";
      members.forEach(function (i) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = points[i].title;
        button.addEventListener("click", function () { map.closePopup(); focusCard(points[i].card); });
        item.appendChild(button);
        list.appendChild(item);
      });
      L.popup({offset: [0, -12]}).setLatLng(marker.getLatLng()).setContent(list).openOn(map);
      var first = list.querySelector("button");
      if (first) first.focus();
    }

    function focusCard(card) {
      cards.forEach(function (c) { c.classList.remove("is-chosen"); });
      card.classList.add("is-chosen");
      card.scrollIntoView({block: "center", behavior: "smooth"});
      var link = card.querySelector("h3 a");
      if (link) link.focus({preventScroll: true});
    }

    function highlight(card, on) {
      var marker = markerOf[card.getAttribute("data-point")];
      var icon = marker && marker.getElement();
      if (icon) icon.classList.toggle("is-active", on);
      if (marker && on) marker.setZIndexOffset(1000); else if (marker) marker.setZIndexOffset(0);
    }

    cards.forEach(function (card) {
      card.addEventListener("mouseenter", function () { highlight(card, true); });
      card.addEventListener("mouseleave", function () { highlight(card, false); });
      card.addEventListener("focusin", function () { highlight(card, true); });
      card.addEventListener("focusout", function () { highlight(card, false); });
    });

    var all = L.latLngBounds(points.map(function (p) { return p.latlng; }));
    map.on("zoomend", draw);
    map.fitBounds(all.pad(0.15), {maxZoom: 12});
    draw();
  }

  function detail(el) {
    var points = JSON.parse(el.getAttribute("data-points") || "[]");
    if (!points.length) return;
    el.hidden = false;
    var map = baseMap(el);
    var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
    points.forEach(function (p) {
      L.marker([p.lat, p.lon], {icon: pin(p.label, 1), title: p.label, alt: p.label, keyboard: true}).addTo(map);
    });
    map.fitBounds(bounds.pad(0.2), {maxZoom: 12});
  }

  /* The detail page's map: Leaflet is loaded once its box scrolls into view (never on a phone
     that does not scroll down to it). */
  function loadLeaflet(el, done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = el.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var lib = document.createElement("script");
    lib.src = el.getAttribute("data-leaflet");
    lib.onload = done;
    document.head.appendChild(lib);
  }

  function whenSeen(el) {
    el.hidden = false;  /* its box holds the place; the map is drawn into it when seen */
    var draw = function () { loadLeaflet(el, function () { detail(el); }); };
    if (!("IntersectionObserver" in window)) { draw(); return; }
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); draw(); }
    }, {rootMargin: "0px"});
    seen.observe(el);
  }

  window.vhMap = results;
  Array.prototype.forEach.call(document.querySelectorAll("[data-map='detail']"), whenSeen);
})();
