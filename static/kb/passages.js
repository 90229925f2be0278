/* Passages on the article page: highlight them, describe them on hover or focus, and let
 * analysts select text and tag it. No dependencies, no build step.
 *
 * Offsets are UTF-16 code units of a section body's textContent, which is exactly the
 * server's Section.plain_text; the server converts them to code points. Highlights wrap
 * text nodes in <mark> and never add text, so offsets stay valid while marks come and go.
 */
(function () {
  "use strict";
  var configNode = document.getElementById("kb-passages");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var S = config.strings;
  var bodies = new Map(); // section id -> its .section-body element
  var passages = new Map(); // passage id -> passage data
  var topics = null; // fetched on first use, for suggestions
  var reattachId = Number(new URLSearchParams(location.search).get("reattach")) || null;

  document.querySelectorAll("section[data-section-id]").forEach(function (section) {
    var body = section.querySelector(".section-body");
    if (body) bodies.set(Number(section.dataset.sectionId), body);
  });

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  var live = el("div", { "class": "visually-hidden", "aria-live": "polite" });
  document.body.appendChild(live);
  function announce(message) { live.textContent = message; }

  /* Offsets */

  // The section's own text nodes: the card, open beside a highlight, is not its text.
  function textNodes(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        if (node === card) return NodeFilter.FILTER_REJECT;
        return node.nodeType === 3 ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      },
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  function textOf(root) {
    return textNodes(root).map(function (node) { return node.data; }).join("");
  }

  // The UTF-16 offset in the section's text (textOf: the server's plain_text) of a DOM
  // boundary point: the text nodes before it, and the part of the one it falls in.
  function offsetIn(root, node, offset) {
    var range = document.createRange();
    range.setStart(root, 0);
    range.setEnd(node, offset);
    var total = 0;
    textNodes(root).forEach(function (text) {
      if (text === node) total += offset;
      else if (range.intersectsNode(text)) total += text.length;
    });
    return total;
  }

  /* Highlights */

  function highlight(p) {
    var root = bodies.get(p.section);
    if (!root || p.start16 === null) return;
    var pieces = [];
    var position = 0;
    textNodes(root).forEach(function (node) {
      var from = Math.max(p.start16, position), to = Math.min(p.end16, position + node.length);
      if (from < to && node.data.slice(from - position, to - position).trim()) {
        pieces.push([node, from - position, to - position]);
      }
      position += node.length;
    });
    pieces.forEach(function (piece, i) {
      var node = piece[0];
      if (piece[2] < node.length) node.splitText(piece[2]);
      if (piece[1] > 0) node = node.splitText(piece[1]);
      // The first topic's colour (the tc-<slug> classes of topics/colours.css).
      var colour = p.topics.length ? " tc-" + p.topics[0].slug : "";
      var mark = el("mark", { "class": "passage status-" + p.status + colour, "data-passage-id": p.id });
      if (i === 0) {
        mark.id = "passage-" + p.id;
        mark.tabIndex = 0;
        mark.setAttribute("aria-label", S.passage + ": " + p.topics.map(function (t) { return t.label || t.name; }).join("、"));
      }
      node.parentNode.replaceChild(mark, node);
      mark.appendChild(node);
    });
  }

  function marksOf(id) {
    return document.querySelectorAll('mark.passage[data-passage-id="' + id + '"]');
  }

  function unhighlight(id) {
    marksOf(id).forEach(function (mark) {
      var parent = mark.parentNode;
      while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
      parent.removeChild(mark);
      parent.normalize();
    });
  }

  function refresh(p) {
    passages.set(p.id, p);
    unhighlight(p.id);
    highlight(p);
  }

  /* The card: a passage's tags, note, analyst and date; for overlaps, every passage there */

  /* It opens next to its highlight in the DOM, so that a screen reader reads it there and
   * Enter, then Tab, walks through its links and buttons on to the next highlight; opened
   * by focus alone, its controls are skipped, and Tab goes straight to the next highlight. */
  var card = el("div", { "class": "passage-card", role: "dialog", hidden: "",
    lang: document.documentElement.lang });
  document.body.appendChild(card);
  var cardFor = null, hideTimer = null;
  var quiet = null; // a highlight getting the focus back from its card: not to reopen it

  // Below rect, within the page's width, in the coordinates of box's positioned ancestor.
  function placeNear(box, rect) {
    var top = window.scrollY + rect.bottom + 6;
    var left = Math.max(8, Math.min(window.scrollX + rect.left,
      window.scrollX + document.documentElement.clientWidth - box.offsetWidth - 8));
    var parent = box.offsetParent;
    if (parent && parent !== document.body && parent !== document.documentElement) {
      var origin = parent.getBoundingClientRect();
      top -= window.scrollY + origin.top + parent.clientTop;
      left -= window.scrollX + origin.left + parent.clientLeft;
    }
    box.style.top = top + "px";
    box.style.left = left + "px";
  }

  function describe(p) {
    var chips = el("ul", { "class": "chips" }, p.topics.map(function (t) {
      var chip = el("a", { "class": "chip", href: t.url, text: t.label || t.name });
      if (t.lang) chip.setAttribute("lang", t.lang);  // the card lives outside the article
      return el("li", {}, [chip]);
    }));
    var actions = el("div", { "class": "actions" }, [
      p.canChange ? el("button", { type: "button", text: S.edit, onclick: function () { openEditor({ passage: p }); } }) : null,
      p.canDelete ? el("button", { type: "button", "class": "danger", text: S["delete"], onclick: function () { remove(p); } }) : null,
      p.cite ? el("a", { "class": "button cite", href: p.cite, text: S.cite }) : null,
    ]);
    return el("div", { "class": "passage-info" }, [
      chips,
      p.note ? el("p", { "class": "note", text: p.note }) : null,
      el("p", { "class": "byline", text: S.by + " " + p.analyst + " · " + p.created +
        (p.status !== "anchored" ? " · " + p.statusLabel : "") }),
      actions.children.length ? actions : null,
    ]);
  }

  function showCard(mark, entered) {
    clearTimeout(hideTimer);
    var ids = [];
    for (var node = mark; node && node !== document.body; node = node.parentNode) {
      if (node.dataset && node.dataset.passageId) ids.push(Number(node.dataset.passageId));
    }
    card.replaceChildren.apply(card, ids.map(function (id) { return describe(passages.get(id)); }));
    card.querySelectorAll("a, button").forEach(function (control) {
      if (!entered) control.tabIndex = -1;
    });
    card.setAttribute("aria-label", S.passage);
    mark.after(card);
    card.hidden = false;
    cardFor = mark;
    placeNear(card, mark.getBoundingClientRect());
  }

  function hideCard(now) {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { card.hidden = true; cardFor = null; }, now ? 0 : 300);
  }

  // Escape: the card closes and the focus goes back to its highlight, which stays closed.
  function closeCard() {
    var back = cardFor;
    clearTimeout(hideTimer);
    card.hidden = true;
    cardFor = null;
    if (back) { quiet = back; back.focus(); quiet = null; }
  }

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  // The highlight an event is on; not one around the card (it opens inside a longer
  // passage's highlight when the shorter one overlapping it is the one shown).
  function markOf(target) {
    if (!target.closest || card.contains(target)) return null;
    return target.closest("mark.passage");
  }

  document.addEventListener("mouseover", function (event) {
    var mark = markOf(event.target);
    if (mark) showCard(mark);
    else if (card.contains(event.target)) clearTimeout(hideTimer);
    else if (cardFor) hideCard(false);
  });
  document.addEventListener("focusin", function (event) {
    var mark = markOf(event.target);
    if (mark && mark === quiet) return;
    if (mark) showCard(mark);
    else if (cardFor && !card.contains(event.target)) hideCard(true);
  });
  document.addEventListener("keydown", function (event) {
    var mark = markOf(event.target);
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      showCard(mark, true);
      var first = card.querySelector("a, button");
      if (first) first.focus();
    } else if (event.key === "Escape") {
      if (!editor.hidden) closeEditor(true);
      else if (!card.hidden) closeCard();
    } else if (event.key === "t" && !event.ctrlKey && !event.metaKey && !event.altKey &&
               config.canTag && !typing(event.target)) {
      // Tag the current selection, however it was made (mouse, Shift+arrows, caret browsing).
      var selection = currentSelection();
      if (!selection) return;
      event.preventDefault();
      adder.hidden = true;
      openEditor(reattachId ? { passage: passages.get(reattachId), selection: selection } : { selection: selection });
    }
  });

  /* Requests */

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    var cookie = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return input ? input.value : cookie ? decodeURIComponent(cookie[1]) : "";
  }

  function send(method, url, data) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: data ? JSON.stringify(data) : undefined,
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error(body.error || response.statusText);
        return body;
      });
    });
  }

  function remove(p) {
    if (!window.confirm(S.confirmDelete + "\n\n" + p.exact)) return;
    send("DELETE", p.url).then(function () {
      unhighlight(p.id);
      passages.delete(p.id);
      hideCard(true);
      announce(S["delete"] + ": " + p.exact);
    }, function (error) { window.alert(S.failed + " " + error.message); });
  }

  /* Selecting text: the adder button, then the editor */

  var adder = el("button", { type: "button", "class": "passage-adder", hidden: "", text: S.tag,
    "aria-keyshortcuts": "t", title: S.tagKey });
  document.body.appendChild(adder);
  var pending = null; // {section, start16, end16, exact}

  function currentSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentNode;
    var root = start.closest(".section-body");
    if (!root || !root.contains(range.endContainer)) return null; // one section at a time
    var text = textOf(root);
    var s = offsetIn(root, range.startContainer, range.startOffset);
    var e = offsetIn(root, range.endContainer, range.endOffset);
    while (s < e && /\s/.test(text[s])) s++; // selections often catch a line end
    while (e > s && /\s/.test(text[e - 1])) e--;
    if (s === e) return null;
    var section = Number(root.closest("section[data-section-id]").dataset.sectionId);
    return { section: section, start16: s, end16: e, exact: text.slice(s, e), rect: range.getBoundingClientRect() };
  }

  function onSelect(event) {
    if (!config.canTag || editor.contains(event.target) || event.target === adder) return;
    setTimeout(function () { // let the browser finish updating the selection
      pending = currentSelection();
      if (!pending) { adder.hidden = true; return; }
      adder.textContent = reattachId ? S.reattachHere : S.tag;
      adder.hidden = false;
      placeNear(adder, pending.rect);
    }, 0);
  }
  document.addEventListener("mouseup", onSelect);
  // A selection made or changed from the keyboard (Shift+arrows, caret browsing).
  var selectTimer = null;
  document.addEventListener("selectionchange", function () {
    if (!editor.hidden) return;
    clearTimeout(selectTimer);
    selectTimer = setTimeout(function () { onSelect({ target: document.body }); }, 100);
  });
  adder.addEventListener("click", function () {
    adder.hidden = true;
    if (!pending) return;
    openEditor(reattachId ? { passage: passages.get(reattachId), selection: pending } : { selection: pending });
  });

  var editor = el("form", { "class": "passage-editor", hidden: "", role: "dialog", "aria-label": S.tag });
  document.body.appendChild(editor);
  var editing = null; // {passage?, selection?}
  var returnTo = null; // where the focus was when the editor opened
  var chosen = []; // tag names in the editor
  var fresh = {}; // chosen names that match no topic: saving will create them

  function loadTopics() {
    if (topics) return Promise.resolve(topics);
    return fetch(config.api.topics, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (data) { topics = data.topics; return topics; });
  }

  function renderChips(list) {
    list.replaceChildren.apply(list, chosen.map(function (name, i) {
      var isNew = fresh[name] === true;
      return el("li", { "class": isNew ? "chip chip-new" : "chip" }, [document.createTextNode(name + " "),
        isNew ? el("span", { "class": "badge", text: S.newTag }) : null,
        el("button", { type: "button", "class": "link", "aria-label": S.removeTag + " " + name, text: "×",
          onclick: function () { chosen.splice(i, 1); renderChips(list); } })]);
    }));
  }

  function addTag(input, list) {
    input.value.split(/[,、，]/).forEach(function (raw) {
      var name = raw.trim();
      if (!name) return;
      var known = (topics || []).find(function (t) {
        return [t.name, t.slug, t.en].concat(t.aliases).some(function (n) { return n && n.toLowerCase() === name.toLowerCase(); });
      });
      name = known ? known.name : name;
      if (chosen.indexOf(name) < 0) chosen.push(name);
      if (!known) checkTag(name, list);
    });
    input.value = "";
    renderChips(list);
  }

  // The server matches a tag as saving will (width, case, spacing, aliases): a near miss
  // becomes the existing topic, anything else is shown as new before it is saved.
  function checkTag(name, list) {
    fetch(config.api.match + "?" + new URLSearchParams({ name: name }), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var i = chosen.indexOf(name);
        if (i < 0) return;
        if (!data.match) { fresh[name] = true; }
        else if (data.match.name === name) { return; } // typed exactly, before the list came
        else if (chosen.indexOf(data.match.name) < 0) { chosen[i] = data.match.name; }
        else { chosen.splice(i, 1); }
        renderChips(list);
      });
  }

  function openEditor(what) {
    editing = what;
    returnTo = document.activeElement;
    hideCard(true);
    var p = what.passage;
    chosen = p ? p.topics.map(function (t) { return t.name; }) : [];
    fresh = {};
    var list = el("ul", { "class": "chips chosen" });
    var datalist = el("datalist", { id: "kb-topic-options" });
    var input = el("input", { type: "text", id: "passage-tag-input", list: "kb-topic-options", autocomplete: "off",
      "aria-describedby": "passage-tag-hint" });
    var note = el("textarea", { id: "passage-note-input", rows: "3" });
    note.value = p ? p.note : "";
    var error = el("p", { "class": "error", role: "alert" });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === ",") { event.preventDefault(); addTag(input, list); }
      else if (event.key === "Backspace" && !input.value && chosen.length) { chosen.pop(); renderChips(list); }
    });
    input.addEventListener("change", function () {
      if (topics && topics.some(function (t) { return t.name === input.value; })) addTag(input, list);
    });
    editor.replaceChildren(
      what.selection ? el("blockquote", { "class": "quote", text: what.selection.exact }) : null,
      el("label", { "for": "passage-tag-input", text: S.tags }), list, input, datalist,
      el("p", { id: "passage-tag-hint", "class": "hint", text: S.addTagHint }),
      el("label", { "for": "passage-note-input", text: S.note }), note, error,
      el("div", { "class": "actions" }, [el("button", { type: "submit", text: S.save }),
        el("button", { type: "button", text: S.cancel, onclick: function () { closeEditor(true); } })])
    );
    renderChips(list);
    editor.hidden = false;
    var anchor = what.selection ? what.selection.rect : marksOf(p.id)[0].getBoundingClientRect();
    placeNear(editor, anchor);
    input.focus();
    loadTopics().then(function (all) {
      datalist.replaceChildren.apply(datalist, all.map(function (t) {
        return el("option", { value: t.name, label: [t.en].concat(t.aliases).filter(Boolean).join(" · ") });
      }));
    });
    editor.onsubmit = function (event) {
      event.preventDefault();
      addTag(input, list);
      save({ topics: chosen.slice(), note: note.value }).then(closeEditor, function (e) {
        error.textContent = S.failed + " " + e.message;
      });
    };
  }

  function closeEditor(cancelled) {
    editor.hidden = true;
    editing = null;
    if (cancelled === true && returnTo && document.contains(returnTo)) returnTo.focus();
    returnTo = null;
  }

  function save(fields) {
    var sel = editing.selection, p = editing.passage;
    if (sel) { // re-attaching may pick text in any section of the article (an orphan has none)
      fields.section = sel.section;
      fields.start16 = sel.start16; fields.end16 = sel.end16; fields.exact = sel.exact;
    }
    var request = p ? send("PATCH", p.url, fields) : send("POST", config.api.create, fields);
    return request.then(function (saved) {
      refresh(saved);
      window.getSelection().removeAllRanges();
      if (reattachId === saved.id) {
        reattachId = null;
        var banner = document.getElementById("passage-reattach");
        if (banner) banner.remove();
        history.replaceState(null, "", location.pathname + "#passage-" + saved.id);
      }
      announce(S.save + ": " + saved.exact);
      var mark = document.getElementById("passage-" + saved.id);
      if (mark) mark.focus({ preventScroll: true });
    });
  }

  /* Start: highlight everything, then honour #passage-<id> and ?reattach=<id> */

  function notice(id, children) {
    var box = el("div", { id: id, "class": "passage-notice", role: "status" }, children);
    var article = document.querySelector("article.article");
    article.parentNode.insertBefore(box, article);
    return box;
  }

  function showTarget() {
    document.querySelectorAll("mark.passage.is-target").forEach(function (m) { m.classList.remove("is-target"); });
    var match = location.hash.match(/^#passage-(\d+)$/);
    if (!match) return;
    var p = passages.get(Number(match[1]));
    var marks = marksOf(match[1]);
    if (marks.length) {
      marks.forEach(function (m) { m.classList.add("is-target"); });
      marks[0].scrollIntoView({ block: "center" });
      marks[0].focus({ preventScroll: true });
    } else if (p && !document.getElementById("passage-missing")) {
      notice("passage-missing", [el("p", { text: S.notFound }), el("blockquote", { "class": "quote", text: p.exact }),
        el("a", { href: config.repairUrl, text: S.repairList })]);
    }
  }

  config.passages.forEach(function (p) { passages.set(p.id, p); });
  // Longer passages first, so shorter overlapping ones nest inside and stay hoverable.
  config.passages.slice().sort(function (a, b) { return (b.end16 - b.start16) - (a.end16 - a.start16); })
    .forEach(highlight);
  if (reattachId && passages.has(reattachId)) {
    notice("passage-reattach", [el("p", { text: S.reattach }),
      el("blockquote", { "class": "quote", text: passages.get(reattachId).exact })]);
  }
  showTarget();
  window.addEventListener("hashchange", showTarget);
})();
