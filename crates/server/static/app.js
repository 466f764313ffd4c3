// Refreshes a letter's counts while the page is open. The page works without it.
(function () {
  "use strict";
  var letter = document.querySelector("[data-counts-url]");
  if (!letter || !window.fetch) return;
  var url = letter.getAttribute("data-counts-url");
  var format = new Intl.NumberFormat("en");
  function refresh() {
    if (document.hidden) return;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        var total = document.querySelector('[data-count="total"]');
        if (total) total.textContent = format.format(counts.total);
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
