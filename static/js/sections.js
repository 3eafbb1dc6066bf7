/* Dashboard sections (<details class="section">): a link to a section opens it, and printing
 * prints every section. Without this script the sections open by a click, a link with
 * ?section=<key> opens one, and ?section=all opens them all (to print the whole page). */
(function () {
  "use strict";

  function openTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var section = target && target.closest("details.section");
    if (section && !section.open) {
      section.open = true;
      target.scrollIntoView();
    }
  }

  var closedForPrint = [];
  window.addEventListener("beforeprint", function () {
    closedForPrint = Array.prototype.filter.call(
      document.querySelectorAll("details.section"),
      function (section) { return !section.open; }
    );
    closedForPrint.forEach(function (section) { section.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedForPrint.forEach(function (section) { section.open = false; });
    closedForPrint = [];
  });
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
