/* Keys on every page: "/" puts the focus in the search box (not while typing in a field,
 * where "/" is a character like any other). */
(function () {
  "use strict";
  var search = document.querySelector(".search-box input[type=search]");
  if (!search) return;
  search.setAttribute("aria-keyshortcuts", "/");
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    event.preventDefault();
    search.focus();
    search.select();
  });
})();
