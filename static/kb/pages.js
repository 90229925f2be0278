/* Page markers inside a section's text: where a page of the original begins ("p. 12").
   Offsets come in code points of the section's plain text (as passages' are stored). A
   marker holds no text node, so the text offsets passages.js counts are unchanged. */
(function () {
  "use strict";
  document.querySelectorAll(".page-marker[data-breaks]").forEach(function (marker) {
    var body = marker.closest("section").querySelector(".section-body");
    var breaks;
    try { breaks = JSON.parse(marker.dataset.breaks); } catch (e) { return; }
    if (!body || !Array.isArray(breaks)) return;
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var seen = 0, i = 0;
    breaks.forEach(function (pair) {
      var offset = pair[0], page = pair[1];
      for (; i < nodes.length; i++) {
        var chars = Array.from(nodes[i].data);
        if (seen + chars.length > offset) {
          var at = chars.slice(0, offset - seen).join("").length; // UTF-16 units
          var rest = nodes[i].splitText(at);
          var label = "p. " + page;
          var mark = document.createElement(marker.dataset.original ? "a" : "span");
          mark.className = "page-break";
          mark.dataset.page = page;
          mark.setAttribute("aria-label", label);
          mark.setAttribute("title", label);
          if (marker.dataset.original) mark.href = marker.dataset.original + "#page=" + page;
          rest.parentNode.insertBefore(mark, rest);
          seen += chars.length - Array.from(rest.data).length;
          nodes[i] = rest;
          break;
        }
        seen += chars.length;
      }
    });
  });
})();
