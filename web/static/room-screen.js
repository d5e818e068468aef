// Room screens in screen mode (?refresh=): the page loads itself again every data-refresh
// seconds (set on <html>), so that a change made in the meeting's editor shows on every screen in
// the building. An external script, not a meta refresh: no inline script, and a page a person
// reads (without ?refresh=) never reloads under them (WCAG 2.2.1).
(function () {
  "use strict";
  var seconds = parseInt(document.documentElement.getAttribute("data-refresh"), 10);
  if (seconds > 0) {
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
