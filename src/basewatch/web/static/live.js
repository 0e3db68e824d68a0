// basewatch: pages that follow the store. The server streams (/api/updates, server-sent
// events) each new copy of the store it takes, and each new status of `basewatch live`.
// On a page marked data-live, the page is fetched again and every part marked
// data-live-part whose server-drawn content changed is swapped in (and marked for a moment,
// unless it is data-live-quiet: the footer, and the feed figures that change every second);
// other parts, and the zoom of a map that did not change, stay as they are. Other pages only
// say that newer data is there. The banner "updated HH:MM:SS UTC" gives the copy shown.
"use strict";
(function () {
  var body = document.body;
  // the banner is a live part too: look it up each time, it may have been swapped
  function banner() { return document.getElementById("updated"); }
  if (!window.EventSource || !window.fetch || !window.DOMParser || !banner()) { return; }
  var mode = body.getAttribute("data-live");  // "copy", "status" or null
  var version = body.getAttribute("data-version");
  var liveAt = body.getAttribute("data-live-at");
  // the parts as the server drew them (map.js changes the maps once the page has loaded)
  var drawn = {};
  Array.prototype.forEach.call(document.querySelectorAll("[data-live-part]"), function (el) {
    drawn[el.id] = el.innerHTML;
  });
  var busy = false, again = false;

  function mark(el) {
    el.classList.remove("fresh");
    void el.offsetWidth;  // restart the highlight when parts change again soon
    el.classList.add("fresh");
    window.setTimeout(function () { el.classList.remove("fresh"); }, 5000);
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-part]"), function (old) {
      var fresh = doc.getElementById(old.id);
      if (!fresh || fresh.innerHTML === drawn[old.id]) { return; }
      drawn[old.id] = fresh.innerHTML;
      var node = document.importNode(fresh, true);
      old.parentNode.replaceChild(node, old);
      if (!node.hasAttribute("data-live-quiet")) { mark(node); }
      if (window.basewatchMaps) { window.basewatchMaps(node); }
    });
    version = doc.body.getAttribute("data-version");
    body.setAttribute("data-version", version);
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    window.fetch(window.location.href, { headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(swap)
      .catch(function () { banner().classList.add("stale"); })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function newer(taken) {
    // a page that does not follow the store offers the newer copy instead
    var b = banner();
    b.textContent = "";
    var a = document.createElement("a");
    a.href = window.location.href;
    a.textContent = "newer data " + taken.slice(11, 19) + " UTC: reload";
    b.appendChild(a);
    mark(b);
  }

  var source = new window.EventSource("/api/updates");
  source.addEventListener("update", function (evt) {
    var d = JSON.parse(evt.data);
    banner().classList.remove("stale");
    var copy = d.version !== null && String(d.version) !== version;
    var status = mode === "status" && d.live_at !== null && String(d.live_at) !== liveAt;
    liveAt = d.live_at === null ? null : String(d.live_at);
    if (mode && (copy || status)) { refresh(); }
    else if (!mode && copy) { newer(d.taken_at); }
  });
  source.addEventListener("error", function () { banner().classList.add("stale"); });
})();
