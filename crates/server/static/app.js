// Refreshes a letter's counts while the page is open. The page works without it.
(function () {
  "use strict";
  var letter = document.querySelector("[data-counts-url]");
  if (!letter || !window.fetch) return;
  var url = letter.getAttribute("data-counts-url");
  // Grouped as the page's language groups them (the server does the same).
  var format = new Intl.NumberFormat(document.documentElement.lang || "en");
  function refresh() {
    if (document.hidden) return;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        // Every place the page shows the total (at the top and above the form), and the
        // word after it, in the singular for one.
        document.querySelectorAll('[data-count="total"]').forEach(function (el) {
          el.textContent = format.format(counts.total);
        });
        document.querySelectorAll('[data-plural="total"]').forEach(function (el) {
          el.textContent = el.getAttribute(counts.total === 1 ? "data-one" : "data-other");
        });
        document.querySelectorAll("[data-category]").forEach(function (el) {
          var n = counts.by_category[el.getAttribute("data-category")];
          if (typeof n === "number") el.textContent = format.format(n);
        });
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", refresh);
})();

// On the signing form, offers only the display levels that the chosen category allows, and
// the "show my city" box only where a city may be shown. The server checks the same rules;
// without this script the form says them in words.
(function () {
  "use strict";
  var categories = document.querySelectorAll('input[name="category"][data-levels]');
  if (!categories.length) return;
  function apply() {
    var chosen = document.querySelector('input[name="category"]:checked');
    if (!chosen) return;
    var levels = chosen.getAttribute("data-levels").split(" ");
    document.querySelectorAll('input[name="display"]').forEach(function (radio) {
      var allowed = levels.indexOf(radio.value) >= 0;
      radio.disabled = !allowed;
      if (!allowed) radio.checked = false;
      radio.closest("label").classList.toggle("unavailable", !allowed);
    });
    var city = document.querySelector('input[name="show_city"]');
    if (city) {
      var cityAllowed = chosen.getAttribute("data-city") === "true" && levels.indexOf("initials") >= 0;
      city.disabled = !cityAllowed;
      if (!cityAllowed) city.checked = false;
      city.closest("label").hidden = !cityAllowed;
    }
  }
  categories.forEach(function (radio) { radio.addEventListener("change", apply); });
  apply();
})();
