// Select all: a checkbox that ticks or unticks every pending registration shown on the page.
// Progressive enhancement: the page works without it (each row has its own checkbox); the
// control is in the page, hidden, and shown only once this script runs.
(function () {
  "use strict";
  function setup(all) {
    var form = all.getAttribute("data-select-all");
    var boxes = function () {
      return Array.prototype.slice.call(
        document.querySelectorAll('input[type="checkbox"][name="id"][form="' + form + '"]'));
    };
    var sync = function () {
      var bs = boxes();
      var ticked = bs.filter(function (b) { return b.checked; }).length;
      all.checked = bs.length > 0 && ticked === bs.length;
      all.indeterminate = ticked > 0 && ticked < bs.length;
    };
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      all.indeterminate = false;
    });
    boxes().forEach(function (b) { b.addEventListener("change", sync); });
    sync();
    var wrap = all.closest("[hidden]");
    if (wrap) { wrap.hidden = false; }
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-select-all]"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
