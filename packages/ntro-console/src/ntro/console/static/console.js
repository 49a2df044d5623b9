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
  var busy = false, again = false, failures = 0;
  function swap(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    // Into this document first: a kept form moves within one document, so its chosen files stay chosen.
    var next = document.importNode(t.content, true);
    box.querySelectorAll("[data-gate][data-dirty]").forEach(function (old) {
      var fresh = next.querySelector('[data-gate="' + old.getAttribute("data-gate") + '"]');
      if (fresh && fresh.hasAttribute("data-answered")) return;
      if (fresh) { fresh.replaceWith(old); return; }
      // Not shown now (answered elsewhere, or a look that missed it): keep what was typed; sending says which.
      var gates = next.querySelector("#gates");
      if (gates) gates.appendChild(old);
    });
    var focused = document.activeElement && box.contains(document.activeElement) ? document.activeElement : null;
    box.replaceChildren(next);
    if (focused && box.contains(focused)) focused.focus();
    box.setAttribute("data-refreshed", String(Date.now()));
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    // The page's own query (the answer just sent) comes along, so what it says stays where it is.
    fetch(box.dataset.fragment + window.location.search, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) { failures = 0; swap(html); })
      .catch(function () { if (failures++ < 5) setTimeout(refresh, 1000 * failures); })
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
