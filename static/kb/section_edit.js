/* A section's own form: a live preview of the body, rendered by the server with the same
 * sanitiser as the saved page (never Markdown in the browser, which could disagree). The
 * body is sent a moment after typing pauses; an answer older than the latest is dropped.
 */
(function () {
  "use strict";
  var form = document.getElementById("section-edit");
  if (!form) return;
  var body = form.querySelector("textarea[name=body]");
  var preview = document.getElementById("section-preview");
  var error = document.getElementById("section-preview-error");
  var DELAY = 300; // ms after the last keystroke
  var timer = null, latest = 0;

  function update() {
    var asked = ++latest;
    var data = new FormData();
    data.append("body", body.value);
    data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return { error: response.statusText }; });
      })
      .then(function (answer) {
        if (asked !== latest) return;
        if (answer.error) { error.textContent = form.dataset.previewFailed + " " + answer.error; return; }
        error.textContent = "";
        preview.innerHTML = answer.html; // sanitised by the server, as the saved page is
      }, function (e) {
        if (asked === latest) error.textContent = form.dataset.previewFailed + " " + e.message;
      });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(update, DELAY);
  }
  body.addEventListener("input", later);
  // Typed before this script ran (it is deferred): the preview shows the page's text.
  if (body.value !== body.defaultValue) later();
})();
