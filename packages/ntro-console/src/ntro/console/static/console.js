(function () {
  "use strict";
  var box = document.getElementById("run");
  if (!box || !window.EventSource || !box.dataset.events) return;
  // A gate someone is filling in keeps what was typed when the rest of the page is refreshed.
  box.addEventListener("input", function (e) {
    var gate = e.target.closest("[data-gate]");
    if (gate) gate.setAttribute("data-dirty", "1");
  });
  box.addEventListener("change", function (e) {
    var gate = e.target.closest("[data-gate]");
    if (gate) gate.setAttribute("data-dirty", "1");
  });
  var busy = false, again = false;
  function swap(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    box.querySelectorAll("[data-gate][data-dirty]").forEach(function (old) {
      var fresh = t.content.querySelector('[data-gate="' + old.getAttribute("data-gate") + '"]');
      if (fresh && !fresh.hasAttribute("data-answered")) fresh.replaceWith(old);
    });
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement : null;
    box.replaceChildren.apply(box, Array.prototype.slice.call(t.content.childNodes));
    if (focused && box.contains(focused)) focused.focus();
    box.setAttribute("data-refreshed", String(Date.now()));
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(box.dataset.fragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) swap(html); })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  function shown() {
    var body = box.querySelector("[data-fingerprint]");
    return body ? body.getAttribute("data-fingerprint") : "";
  }
  var events = new EventSource(box.dataset.events + "?since=" + encodeURIComponent(shown()));
  events.addEventListener("changed", refresh);
  window.addEventListener("pagehide", function () { events.close(); });
})();
