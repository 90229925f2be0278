/* Topic fields (comma-separated names: a section's form, the admin's sections, the import
 * preview): suggest topics as a name is typed, matching labels in both languages, slugs and
 * aliases, and list the names entered, marking those no topic has as new tags (the server
 * decides, through the same matching that saving uses). Works on inputs added later too
 * (the admin's "add another section"), so everything hangs on document-level events.
 */
(function () {
  "use strict";
  var SELECTOR = "input[data-kb-topics]";
  var SEPARATORS = /[,、，]/;
  var MAX_SUGGESTIONS = 8;
  var topics = null, loading = null; // every topic, fetched once per page
  var matched = {}; // typed name -> existing topic's name, or null when it is new
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) node.textContent = text;
    return node;
  }

  function fold(text) { return (text || "").normalize("NFKC").toLowerCase().trim(); }

  function labels(t) { return [t.name, t.en, t.slug].concat(t.aliases || []).filter(Boolean); }

  function load(input) {
    if (topics) return Promise.resolve(topics);
    if (!loading) {
      loading = fetch(input.dataset.kbTopics, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { topics = data.topics; return topics; });
    }
    return loading;
  }

  function names(value) {
    return value.split(SEPARATORS).map(function (n) { return n.trim(); }).filter(Boolean);
  }

  function known(name) {
    var key = fold(name);
    return (topics || []).find(function (t) { return labels(t).some(function (l) { return fold(l) === key; }); });
  }

  /* The widget's parts, made on first focus */

  function setUp(input) {
    if (input.dataset.kbReady) return input._kb;
    input.dataset.kbReady = "1";
    var id = "kb-topics-" + (++counter);
    var list = el("ul", { id: id + "-list", role: "listbox", "class": "kb-topic-suggestions", hidden: "",
      "aria-label": input.dataset.kbSuggestionsLabel });
    var chips = el("ul", { id: id + "-chips", "class": "kb-topic-chips", "aria-live": "polite" });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", chips);
    input.insertAdjacentElement("afterend", list);
    input._kb = { list: list, chips: chips, active: -1, options: [] };
    showChips(input);
    return input._kb;
  }

  /* Suggestions for the name being typed (the last one) */

  function currentName(input) {
    var parts = input.value.split(SEPARATORS);
    return parts[parts.length - 1].trim();
  }

  function suggest(input) {
    var kb = setUp(input);
    var typed = fold(currentName(input));
    var chosen = names(input.value).slice(0, -1).map(fold);
    kb.options = !typed ? [] : (topics || []).filter(function (t) {
      return chosen.indexOf(fold(t.name)) < 0 &&
        labels(t).some(function (l) { return fold(l).indexOf(typed) >= 0; });
    }).sort(function (a, b) { // names that start with what was typed first
      var as = labels(a).some(function (l) { return fold(l).indexOf(typed) === 0; });
      var bs = labels(b).some(function (l) { return fold(l).indexOf(typed) === 0; });
      return as === bs ? 0 : as ? -1 : 1;
    }).slice(0, MAX_SUGGESTIONS);
    kb.active = -1;
    kb.list.replaceChildren.apply(kb.list, kb.options.map(function (t, i) {
      var option = el("li", { id: kb.list.id + "-" + i, role: "option", "aria-selected": "false", "data-index": i });
      option.appendChild(el("span", { lang: "ja" }, t.name));
      var others = [t.en].concat(t.aliases || []).filter(Boolean);
      if (others.length) option.appendChild(el("span", { "class": "kb-topic-aka" }, " " + others.join(" · ")));
      return option;
    }));
    open(input, kb.options.length > 0);
  }

  function open(input, yes) {
    var kb = input._kb;
    kb.list.hidden = !yes;
    input.setAttribute("aria-expanded", yes ? "true" : "false");
    if (!yes) { kb.active = -1; input.removeAttribute("aria-activedescendant"); }
  }

  function activate(input, index) {
    var kb = input._kb;
    kb.active = (index + kb.options.length) % kb.options.length;
    Array.prototype.forEach.call(kb.list.children, function (option, i) {
      option.setAttribute("aria-selected", i === kb.active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", kb.list.id + "-" + kb.active);
  }

  function pick(input, index) {
    var topic = input._kb.options[index];
    var parts = input.value.split(SEPARATORS).slice(0, -1).map(function (n) { return n.trim(); }).filter(Boolean);
    parts.push(topic.name);
    input.value = parts.join(", ") + ", ";
    open(input, false);
    showChips(input);
    input.focus();
  }

  /* The names entered, each marked as an existing topic or a new tag */

  function showChips(input) {
    var kb = input._kb;
    if (!kb) return;
    var entered = names(input.value);
    kb.chips.replaceChildren.apply(kb.chips, entered.map(function (name) {
      var topic = known(name);
      var state = topic ? topic.name : matched[name];
      if (!topic && state === undefined) check(input, name);
      var isNew = state === null;
      var chip = el("li", { "class": isNew ? "chip chip-new" : "chip" });
      chip.appendChild(el("span", { lang: "ja" }, typeof state === "string" ? state : name));
      if (isNew) chip.appendChild(el("span", { "class": "badge" }, input.dataset.kbNewLabel));
      else if (state) chip.setAttribute("title", input.dataset.kbKnownLabel);
      return chip;
    }));
  }

  function check(input, name) {
    matched[name] = undefined;
    fetch(input.dataset.kbTopicMatch + "?" + new URLSearchParams({ name: name }), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        matched[name] = data.match ? data.match.name : null;
        showChips(input);
      });
  }

  var checkTimer = null;

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(SELECTOR)) return;
    setUp(input);
    load(input).then(function () { showChips(input); });
  });
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(SELECTOR)) return;
    load(input).then(function () { suggest(input); });
    clearTimeout(checkTimer);
    checkTimer = setTimeout(function () { showChips(input); }, 300);
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(SELECTOR) || !input._kb || input._kb.list.hidden) return;
    var kb = input._kb;
    if (event.key === "ArrowDown") { event.preventDefault(); activate(input, kb.active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); activate(input, kb.active - 1); }
    else if (event.key === "Enter" && kb.active >= 0) { event.preventDefault(); pick(input, kb.active); }
    else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); open(input, false); }
  });
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".kb-topic-suggestions [role=option]");
    if (!option) return;
    event.preventDefault(); // keep the focus in the input
    var input = document.querySelector('[aria-controls="' + option.parentNode.id + '"]');
    pick(input, Number(option.dataset.index));
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.matches && input.matches(SELECTOR) && input._kb) {
      open(input, false);
      showChips(input);
    }
  });
})();
