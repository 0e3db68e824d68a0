// basewatch: pan and zoom of the server-drawn SVG maps (no library, nothing fetched).
// Wheel or the +/- buttons zoom, dragging pans, double-click or "reset" returns to the start.
// The buttons sit above the map, where they cover none of it.
"use strict";
(function () {
  function setup(svg) {
    var start = svg.viewBox.baseVal;
    var home = [start.x, start.y, start.width, start.height];
    var view = home.slice();
    // the legend, the north arrow and the caption stay where they are while the map zooms
    // and pans under them (the scale bar zooms with the map, so it stays true)
    var pinned = svg.querySelectorAll(".legend, .north-arrow, .caption-bar");
    // markers and airfield names keep their size on screen: their sizes, as drawn
    var sized = [];
    Array.prototype.forEach.call(
      svg.querySelectorAll(".airfield circle, circle.last-seen, .airfield text"),
      function (el) {
        ["r", "font-size", "stroke-width"].forEach(function (a) {
          if (el.hasAttribute(a)) { sized.push([el, a, parseFloat(el.getAttribute(a))]); }
        });
      });
    function apply() {
      svg.setAttribute("viewBox", view.join(" "));
      var k = view[2] / home[2];
      var t = "translate(" + (view[0] - home[0] * k) + " " + (view[1] - home[1] * k) +
              ") scale(" + k + ")";
      Array.prototype.forEach.call(pinned, function (g) { g.setAttribute("transform", t); });
      sized.forEach(function (s) { s[0].setAttribute(s[1], s[2] * k); });
    }
    function zoom(factor, cx, cy) {
      var w = view[2] * factor, h = view[3] * factor;
      if (w > home[2] * 4 || w < home[2] / 40) { return; }
      view = [cx - (cx - view[0]) * factor, cy - (cy - view[1]) * factor, w, h];
      apply();
    }
    function toSvg(evt) {
      var r = svg.getBoundingClientRect();
      return [view[0] + (evt.clientX - r.left) / r.width * view[2],
              view[1] + (evt.clientY - r.top) / r.height * view[3]];
    }
    svg.addEventListener("wheel", function (evt) {
      evt.preventDefault();
      var p = toSvg(evt);
      zoom(evt.deltaY < 0 ? 0.8 : 1.25, p[0], p[1]);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (evt) {
      drag = [evt.clientX, evt.clientY, view[0], view[1]];
      svg.setPointerCapture(evt.pointerId);
      svg.classList.add("dragging");
    });
    svg.addEventListener("pointermove", function (evt) {
      if (!drag) { return; }
      var r = svg.getBoundingClientRect();
      view[0] = drag[2] - (evt.clientX - drag[0]) / r.width * view[2];
      view[1] = drag[3] - (evt.clientY - drag[1]) / r.height * view[3];
      apply();
    });
    function end() { drag = null; svg.classList.remove("dragging"); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("dblclick", function () { view = home.slice(); apply(); });
    var bar = document.createElement("div");
    bar.className = "map-controls";
    [["+", function () { zoom(0.8, view[0] + view[2] / 2, view[1] + view[3] / 2); }],
     ["\u2212", function () { zoom(1.25, view[0] + view[2] / 2, view[1] + view[3] / 2); }],
     ["reset", function () { view = home.slice(); apply(); }],
     ["legend", function () {
       Array.prototype.forEach.call(svg.querySelectorAll(".legend"), function (g) {
         g.style.display = g.style.display === "none" ? "" : "none";
       });
     }]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[0];
      button.addEventListener("click", b[1]);
      bar.appendChild(button);
    });
    svg.parentNode.insertBefore(bar, svg);
  }
  // live.js calls this on a part of the page it swapped in
  window.basewatchMaps = function (root) {
    Array.prototype.forEach.call(root.querySelectorAll("svg.bw-map"), setup);
  };
  document.addEventListener("DOMContentLoaded", function () {
    window.basewatchMaps(document);
  });
})();
