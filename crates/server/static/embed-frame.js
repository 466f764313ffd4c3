// The embed's own script: tells the page that frames it how tall the card is (embed.js
// listens), whenever that changes. Sends nothing else.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "undersigned:height", height: height }, "*");
  }
  post();
  if (window.ResizeObserver) {
    new ResizeObserver(post).observe(document.documentElement);
  } else {
    window.addEventListener("resize", post);
  }
  window.addEventListener("load", post);
})();
