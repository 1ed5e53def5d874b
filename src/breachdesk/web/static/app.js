// Breachdesk workbench: the deadline countdowns. Each carries its deadline (epoch seconds)
// and the page carries the server's time when it was rendered; this counts down from
// there, so a wrong clock on the user's machine cannot change what the page says is due.
(function () {
  "use strict";
  var started = Date.now();
  var meta = document.querySelector('meta[name="bd-now"]');
  var serverNow = meta ? parseFloat(meta.getAttribute("content")) : NaN;
  var clocks = Array.prototype.slice.call(document.querySelectorAll("time.countdown"));
  if (!clocks.length) { return; }

  function span(seconds) {
    var left = Math.abs(Math.trunc(seconds));
    var days = Math.floor(left / 86400), hours = Math.floor(left % 86400 / 3600);
    var minutes = Math.floor(left % 3600 / 60), secs = left % 60;
    function two(n) { return (n < 10 ? "0" : "") + n; }
    if (days) { return days + "d " + two(hours) + "h"; }
    if (hours) { return hours + "h " + two(minutes) + "m"; }
    if (minutes) { return minutes + "m " + two(secs) + "s"; }
    return secs + "s";
  }

  function tick() {
    var elapsed = (Date.now() - started) / 1000;
    clocks.forEach(function (el) {
      var deadline = parseFloat(el.getAttribute("data-deadline"));
      var left = (isNaN(deadline) || isNaN(serverNow))
        ? Number(el.getAttribute("data-seconds-left")) - elapsed
        : deadline - (serverNow + elapsed);
      if (isNaN(left)) { return; }
      el.textContent = left < 0 ? "OVERDUE by " + span(left) : span(left) + " left";
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("urgent", left >= 0 && left < 43200);
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
