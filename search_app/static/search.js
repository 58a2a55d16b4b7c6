/* Search page enhancements (the page works without them): sort on change, "near me", the map
   (Leaflet and map.js are loaded when the map is first shown). */
(function () {
  "use strict";
  var sort = document.getElementById("sort");
  var apply = document.querySelector("[data-sort-apply]");
  if (sort && sort.form) {
    if (apply) apply.hidden = true;
    sort.addEventListener("change", function () { sort.form.requestSubmit(); });
  }

  var near = document.querySelector("[data-near-me]");
  var where = document.getElementById("where");
  if (near && where && navigator.geolocation) {
    near.hidden = false;
    near.addEventListener("click", function () {
      near.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        where.value = pos.coords.latitude.toFixed(4) + "," + pos.coords.longitude.toFixed(4);
        where.form.requestSubmit();
      }, function () {
        near.disabled = false;
        near.textContent = near.getAttribute("data-error");
      }, {timeout: 10000, maximumAge: 600000});
    });
  }

  var map = document.getElementById("results-map");
  var toggle = document.querySelector(".map-toggle");
  if (!map) return;
  var loaded = false;
  function load(done) {
    if (loaded) { done(); return; }
    loaded = true;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = map.getAttribute("data-leaflet-css");
    document.head.appendChild(css);
    var lib = document.createElement("script");
    lib.src = map.getAttribute("data-leaflet");
    lib.onload = function () {
      var own = document.createElement("script");
      own.src = map.getAttribute("data-script");
      own.onload = done;
      document.head.appendChild(own);
    };
    document.head.appendChild(lib);
  }
  /* The visitor's own choice, kept on this device: the map opens by itself only for those who
     opened it before, so the list comes first and Leaflet (about 42 KB) loads only when used. */
  var KEY = "vh-map";
  function remembered() { try { return window.localStorage.getItem(KEY) === "open"; } catch (e) { return false; } }
  function remember(open) { try { window.localStorage.setItem(KEY, open ? "open" : "closed"); } catch (e) { /* private mode */ } }
  function show(open) {
    map.hidden = !open;
    document.body.classList.toggle("map-open", open);
    if (toggle) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = toggle.getAttribute(open ? "data-hide" : "data-show");
    }
    if (open) load(function () { window.vhMap(map); });
  }
  var wide = window.matchMedia("(min-width: 60rem)");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () { var open = map.hidden; remember(open); show(open); });
  }
  if (wide.matches && remembered()) show(true);  /* desktop: list and map side by side */
})();
