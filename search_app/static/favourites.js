/* Volunteer Hub: favourites kept in this browser (localStorage), no account. Reveals the
   "save" buttons and fills /favourites from the JSON API. Text only (textContent), no HTML. */
(function () {
  "use strict";
  var KEY = "volunteer-hub.favourites";

  function load() {
    try {
      var list = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (f) { return f && typeof f.id === "string"; }) : [];
    } catch (e) { return []; }
  }
  function save(list) {
    try { window.localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode */ }
  }
  function has(id) { return load().some(function (f) { return f.id === id; }); }
  function remove(id) { save(load().filter(function (f) { return f.id !== id; })); }

  document.querySelectorAll("[data-fav-id]").forEach(function (button) {
    var id = button.getAttribute("data-fav-id");
    function render() {
      var saved = has(id);
      button.setAttribute("aria-pressed", saved ? "true" : "false");
      button.textContent = button.getAttribute(saved ? "data-label-remove" : "data-label-add");
    }
    button.hidden = false;
    render();
    button.addEventListener("click", function () {
      if (has(id)) { remove(id); } else {
        var list = load();
        list.push({ id: id, title: button.getAttribute("data-fav-title") || id, saved: Date.now() });
        save(list);
      }
      render();
    });
  });

  var box = document.getElementById("favourites");
  if (!box) { return; }
  var hint = box.querySelector(".js-hint");
  if (hint) { hint.remove(); }
  var favourites = load();
  if (!favourites.length) {
    var empty = document.createElement("p");
    empty.className = "empty";
    empty.textContent = box.getAttribute("data-empty");
    box.appendChild(empty);
    return;
  }
  var listEl = document.createElement("ol");
  listEl.className = "cards favourites-list";
  box.appendChild(listEl);
  // Refresh at most REFRESH favourites from the API: the rest keep their saved titles, so a
  // long list never runs into the API's per-visitor rate limit.
  var REFRESH = 50;
  favourites.forEach(function (fav, index) {
    var item = document.createElement("li");
    item.className = "card";
    var title = document.createElement("h2");
    title.className = "card-title";
    var link = document.createElement("a");
    link.href = box.getAttribute("data-detail") + encodeURIComponent(fav.id);
    link.textContent = fav.title;
    title.appendChild(link);
    item.appendChild(title);
    var meta = document.createElement("p");
    meta.className = "card-org";
    item.appendChild(meta);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = box.getAttribute("data-remove");
    button.addEventListener("click", function () { remove(fav.id); item.remove(); });
    item.appendChild(button);
    listEl.appendChild(item);
    if (index >= REFRESH) { return; }
    fetch(box.getAttribute("data-api") + encodeURIComponent(fav.id), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) { meta.textContent = box.getAttribute("data-gone"); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        link.textContent = data.title || fav.title;
        link.lang = data.language || "";
        var parts = [];
        if (data.organization && data.organization.name) { parts.push(data.organization.name); }
        (data.locations || []).slice(0, 2).forEach(function (l) { if (l.city) { parts.push(l.city); } });
        meta.textContent = parts.join(" · ");
      })
      .catch(function () { /* keep the stored title */ });
  });
}());
