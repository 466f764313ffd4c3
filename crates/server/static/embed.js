// Undersigned's embed: paste
//   <script src="https://letters.example.org/embed.js" data-letter="SLUG" async></script>
// into a page, and the letter's card (its count and a button to sign; with data-form="1",
// the whole signing form) appears right after the script, as a frame that takes the height
// it needs.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var slug = script.getAttribute("data-letter") || "";
  if (!/^[a-z0-9][a-z0-9-]*$/.test(slug)) return;
  var form = script.getAttribute("data-form") === "1";
  var frame = document.createElement("iframe");
  frame.src = origin + "/l/" + slug + "/embed" + (form ? "?form=1" : "");
  frame.title = script.getAttribute("data-title") || "Open letter: its signatures and how to sign";
  frame.setAttribute("loading", "lazy");
  frame.className = "undersigned-embed";
  frame.style.display = "block";
  frame.style.width = "100%";
  frame.style.maxWidth = "40rem";
  frame.style.border = "0";
  frame.style.height = form ? "48rem" : "16rem";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || data.type !== "undersigned:height") return;
    var height = Number(data.height);
    if (height > 0 && height < 20000) frame.style.height = Math.ceil(height) + "px";
  });
})();
