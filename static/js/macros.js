/* Macros: pick one in a reply box (search, click), read and edit the filled-in reply, send.
   The picker sits just before its reply form (ticket page) or inside the queue row's
   inline reply. Key m opens the picker: on the ticket page the reply's, in the queue the
   current row's. The chosen macro's id goes with the form, so its actions apply on send. */
(function () {
  "use strict";

  function formFor(box) {
    var scope = box.closest("#reply, .quick-reply") || box.parentElement;
    return scope.querySelector("form");
  }

  function apply(box, data) {
    var form = formFor(box);
    if (!form) return;
    var body = form.querySelector("textarea[name=body]");
    if (body) {
      body.value = body.value.trim() ? body.value.replace(/\s+$/, "") + "\n\n" + data.body : data.body;
      body.focus();
    }
    var hidden = form.querySelector("input[name=macro]");
    if (!hidden) {
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "macro";
      form.appendChild(hidden);
    }
    hidden.value = data.macro;
    var note = box.querySelector(".macro-applied");
    if (note) {
      note.textContent = data.title + (data.actions.length ? " — " + data.actions.join(" · ") : "");
      note.hidden = false;
    }
    var results = box.querySelector(".macro-results");
    if (results) results.innerHTML = "";
  }

  document.addEventListener("click", function (event) {
    var choice = event.target.closest && event.target.closest(".macro-choice");
    if (!choice) return;
    event.preventDefault();
    var box = choice.closest("[data-macro-box]");
    fetch(choice.dataset.previewUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) apply(box, data); });
  });

  /* Enter in the search box picks the first match rather than submitting anything. */
  document.addEventListener("keydown", function (event) {
    var search = event.target.closest && event.target.closest(".macro-search");
    if (search && event.key === "Enter") {
      event.preventDefault();
      var first = search.closest("[data-macro-box]").querySelector(".macro-choice");
      if (first) first.click();
      return;
    }
    if (event.key !== "m" || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    var row = document.querySelector("#queue .queue-row.is-current");
    var box = null;
    if (row) {
      var details = row.querySelector("details.quick-reply");
      if (details) {
        details.open = true;
        box = details.querySelector("[data-macro-box]");
        if (!box) {
          /* The queue's reply form is fetched when opened: focus it once it is there. */
          event.preventDefault();
          details.addEventListener("htmx:afterSettle", function () {
            var loaded = details.querySelector("[data-macro-box] .macro-search");
            if (loaded) loaded.focus();
          }, { once: true });
          return;
        }
      }
    } else {
      box = document.querySelector("#reply [data-macro-box]");
    }
    if (!box) return;
    event.preventDefault();
    box.querySelector(".macro-search").focus();
  });
})();
