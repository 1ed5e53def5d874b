// Breachdesk incident page: makes the server-drawn timeline chart interactive.
// Filter by entry kind (the checkboxes of the filter form act at once), zoom by dragging
// across the chart ("Show all" undoes it), and show an entry's details on hover or focus.
// Text is only ever read and written with textContent: entry texts come from logs.
// Also: a form with data-busy (run scope) says it is working while the request runs.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = form.getAttribute("data-busy"); }
    });
  });
})();

(function () {
  "use strict";
  var svg = document.getElementById("timeline-chart");
  if (!svg) { return; }
  var NS = "http://www.w3.org/2000/svg";
  var first = Number(svg.getAttribute("data-start"));
  var last = Number(svg.getAttribute("data-end"));
  var left = Number(svg.getAttribute("data-left"));
  var right = Number(svg.getAttribute("data-right"));
  var axisY = Number(svg.getAttribute("data-axis-y"));
  var domain = [first, last];
  var hidden = {};
  var form = document.getElementById("timeline-filter");
  var table = document.getElementById("timeline-table");
  var detail = document.getElementById("timeline-detail");
  var reset = document.getElementById("timeline-reset");
  var rows = table ? Array.prototype.slice.call(table.querySelectorAll("tr[data-kind]")) : [];
  var dots = Array.prototype.slice.call(svg.querySelectorAll("circle.entry"));
  var marks = Array.prototype.slice.call(svg.querySelectorAll("g.mark"));
  var ticks = Array.prototype.slice.call(svg.querySelectorAll("g.tick"));

  function xOf(t) { return left + (right - left) * (t - domain[0]) / (domain[1] - domain[0]); }
  function tOf(x) { return domain[0] + (domain[1] - domain[0]) * (x - left) / (right - left); }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function tickLabel(t, span) {
    var d = new Date(t * 1000);
    var day = two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate());
    if (span > 3 * 86400) { return d.getUTCFullYear() + "-" + day; }
    return day + " " + two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }
  function isoOf(t) { return new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"); }
  function inRange(t) { return t >= domain[0] && t <= domain[1]; }

  function redraw() {
    dots.forEach(function (dot) {
      var t = Number(dot.getAttribute("data-t"));
      dot.classList.toggle("out-of-range", !inRange(t));
      dot.classList.toggle("filtered-out", !!hidden[dot.getAttribute("data-kind")]);
      dot.setAttribute("cx", xOf(t).toFixed(1));
    });
    marks.forEach(function (mark) {
      var t = Number(mark.getAttribute("data-t"));
      var x = xOf(t).toFixed(1);
      mark.classList.toggle("out-of-range", !inRange(t));
      var line = mark.querySelector("line"), text = mark.querySelector("text");
      if (line) { line.setAttribute("x1", x); line.setAttribute("x2", x); }
      if (text) { text.setAttribute("x", x); }
    });
    var span = domain[1] - domain[0];
    ticks.forEach(function (tick, n) {
      var label = tick.querySelector("text");
      var t = domain[0] + span * n / (ticks.length - 1);
      if (label) { label.textContent = tickLabel(t, span); }
    });
    rows.forEach(function (row) {
      var t = Number(row.getAttribute("data-t"));
      row.classList.toggle("out-of-range", !inRange(t));
      row.classList.toggle("filtered-out", !!hidden[row.getAttribute("data-kind")]);
    });
    var zoomed = domain[0] !== first || domain[1] !== last;
    if (reset) { reset.hidden = !zoomed; }
    svg.setAttribute("data-zoomed", zoomed ? "true" : "false");
  }

  // Kind filter: the checkboxes of the (server-side) filter form act immediately.
  if (form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=kind]"));
    function readBoxes() {
      var any = boxes.some(function (b) { return b.checked; });
      hidden = {};
      // No box ticked means every kind, as on the server.
      boxes.forEach(function (b) { if (any && !b.checked) { hidden[b.value] = true; } });
      redraw();
    }
    boxes.forEach(function (box) { box.addEventListener("change", readBoxes); });
    readBoxes();
  }

  // Zoom: drag across the chart to show that span only.
  function svgX(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    var matrix = svg.getScreenCTM();
    return matrix ? point.matrixTransform(matrix.inverse()).x : left;
  }
  function clamp(x) { return Math.max(left, Math.min(right, x)); }
  var brush = null, from = 0;
  svg.classList.add("zoomable");
  svg.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    from = clamp(svgX(event));
    brush = document.createElementNS(NS, "rect");
    brush.setAttribute("class", "brush");
    brush.setAttribute("x", from.toFixed(1));
    brush.setAttribute("y", "0");
    brush.setAttribute("width", "0");
    brush.setAttribute("height", String(axisY));
    svg.appendChild(brush);
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!brush) { return; }
    var x = clamp(svgX(event));
    brush.setAttribute("x", Math.min(from, x).toFixed(1));
    brush.setAttribute("width", Math.abs(x - from).toFixed(1));
  });
  svg.addEventListener("pointerup", function (event) {
    if (!brush) { return; }
    var to = clamp(svgX(event));
    svg.removeChild(brush);
    brush = null;
    if (Math.abs(to - from) < 4) { return; }
    zoomTo(tOf(Math.min(from, to)), tOf(Math.max(from, to)));
  });

  function zoomTo(start, end) {
    if (end - start < 60) { end = start + 60; }
    domain = [Math.floor(start), Math.ceil(end)];
    redraw();
    // The filter form carries the window, so "Apply" keeps it server-side too.
    if (form) {
      var since = form.querySelector("input[name=since]"), until = form.querySelector("input[name=until]");
      if (since) { since.value = isoOf(domain[0]); }
      if (until) { until.value = isoOf(domain[1]); }
    }
  }
  if (reset) {
    reset.addEventListener("click", function () { domain = [first, last]; redraw(); });
  }

  // Hover details: the entry's own <title> text, and its row in the table.
  function show(dot) {
    var title = dot.querySelector("title");
    if (detail && title) { detail.textContent = title.textContent; }
    dots.forEach(function (d) { d.classList.toggle("selected", d === dot); });
    var row = document.getElementById("entry-" + dot.getAttribute("data-entry"));
    rows.forEach(function (r) { r.classList.toggle("selected", r === row); });
    return row;
  }
  dots.forEach(function (dot) {
    dot.addEventListener("mouseenter", function () { show(dot); });
    dot.addEventListener("focus", function () { show(dot); });
    dot.addEventListener("click", function () {
      var row = show(dot);
      if (row) { row.scrollIntoView({ block: "nearest" }); }
    });
  });
  redraw();
})();
