// basewatch: pan and zoom of the server-drawn SVG maps (no library, nothing fetched).
// Wheel or the +/- buttons zoom, dragging pans, double-click or "reset" returns to the start.
"use strict";
(function () {
  function setup(svg) {
    var start = svg.viewBox.baseVal;
    var home = [start.x, start.y, start.width, start.height];
    var view = home.slice();
    function apply() { svg.setAttribute("viewBox", view.join(" ")); }
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
     ["reset", function () { view = home.slice(); apply(); }]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[0];
      button.addEventListener("click", b[1]);
      bar.appendChild(button);
    });
    svg.parentNode.insertBefore(bar, svg);
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("svg.bw-map"), setup);
  });
})();
