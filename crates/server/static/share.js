// The share prompt after confirming: a button that copies the letter's link (the link is
// in a field anyone can select without this script), and the phone's own share sheet where
// the browser has one.
(function () {
  "use strict";
  var prompt = document.querySelector("[data-share]");
  if (!prompt) return;
  var url = prompt.getAttribute("data-url");
  var title = prompt.getAttribute("data-title");
  var status = prompt.querySelector("[data-share-status]");
  var copy = prompt.querySelector("[data-share-copy]");
  var field = prompt.querySelector("[data-share-field]");
  function say(text) { if (status) status.textContent = text; }
  if (copy && navigator.clipboard && window.isSecureContext) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(url).then(
        function () { say("Link copied."); },
        function () { if (field) field.select(); say("Press Ctrl+C (or Cmd+C) to copy the selected link."); }
      );
    });
  }
  var native = prompt.querySelector("[data-share-native]");
  if (native && navigator.share) {
    native.hidden = false;
    native.addEventListener("click", function () {
      navigator.share({ title: title, url: url }).catch(function () {});
    });
  }
})();
