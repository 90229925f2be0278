"""Selecting text in a page as a reader does, with the mouse."""


def drag_select(page, quote):
    """Select ``quote`` in the first section body with the mouse, as a reader would."""
    box = page.evaluate(
        """(quote) => {
          const body = document.querySelector('.section-body');
          const text = body.textContent, start = text.indexOf(quote), end = start + quote.length;
          const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
          const range = document.createRange();
          let pos = 0;
          while (walker.nextNode()) {
            const node = walker.currentNode, len = node.length;
            if (start >= pos && start < pos + len) range.setStart(node, start - pos);
            if (end > pos && end <= pos + len) range.setEnd(node, end - pos);
            pos += len;
          }
          const rects = range.getClientRects();
          const first = rects[0], last = rects[rects.length - 1];
          return {x1: first.left + 1, y1: first.top + first.height / 2,
                  x2: last.right - 1, y2: last.top + last.height / 2};
        }""",
        quote,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()
