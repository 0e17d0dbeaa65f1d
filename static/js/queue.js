/* The queue's keyboard: j/k next/previous row, t take, r reply, Enter open, x select.
   Rows are re-rendered by htmx after every action; the current row is kept by ticket id. */
(function () {
  "use strict";
  var currentId = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue .queue-row"));
  }

  function current() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].dataset.ticket === currentId) return all[i];
    }
    return null;
  }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("is-current"); r.removeAttribute("aria-selected"); });
    if (!row) { currentId = null; return; }
    currentId = row.dataset.ticket;
    row.classList.add("is-current");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(current());
    var next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next]);
  }

  function typing(target) {
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (!document.getElementById("queue")) return;
    var row = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "t":
        if (row) { var take = row.querySelector("button.take"); if (take) take.click(); }
        break;
      case "r":
        if (row) window.location.href = row.dataset.url + "#reply";
        break;
      case "x":
        if (row) { var box = row.querySelector("input[type=checkbox]"); if (box) box.checked = !box.checked; }
        break;
      case "Enter":
        if (row && event.target === document.body) window.location.href = row.dataset.url;
        else return;
        break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("#queue .views-toggle");
    if (toggle) {
      /* Narrow screens: the views side bar is a menu behind this button. */
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      document.getElementById("queue").classList.toggle("views-open", open);
      return;
    }
    var row = event.target.closest && event.target.closest("#queue .queue-row");
    if (row) select(row);
  });

  /* One row menu open at a time: opening another closes the last. */
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!menu.matches || !menu.matches("#queue details.row-menu") || !menu.open) return;
    document.querySelectorAll("#queue details.row-menu[open]").forEach(function (other) {
      if (other !== menu) other.open = false;
    });
  }, true);

  /* Phone width: the filters fold behind their summary unless some are set. */
  function foldFilters() {
    var panel = document.querySelector("#queue details.filters-panel");
    if (panel && !panel.dataset.filtersActive && window.matchMedia("(max-width: 720px)").matches) {
      panel.open = false;
    }
  }
  foldFilters();

  document.body.addEventListener("htmx:afterSwap", function () {
    foldFilters();
    var row = current();
    if (row) select(row);
  });

  /* Countdowns move by themselves: every minute the SLA cells on screen are recomputed
     by the server (business time needs the ticket's calendar) and swapped in place. */
  var COUNTDOWN_EVERY_MS = 60000;

  function refreshCountdowns() {
    var queue = document.getElementById("queue");
    if (!queue || document.hidden || !queue.dataset.countdownsUrl) return;
    var cells = queue.querySelectorAll("[data-countdown]");
    if (!cells.length) return;
    var query = Array.prototype.map.call(cells, function (cell) {
      return "id=" + encodeURIComponent(cell.dataset.countdown);
    }).join("&");
    fetch(queue.dataset.countdownsUrl + "?" + query, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        Array.prototype.forEach.call(cells, function (cell) {
          var fresh = data.cells[cell.dataset.countdown];
          if (!fresh || !cell.isConnected) return;
          cell.innerHTML = fresh.html;
          var row = cell.closest(".queue-row");
          if (row) row.className = row.className.replace(/\bsla-row-\w+/, "sla-row-" + fresh.code);
        });
      })
      .catch(function () { /* offline for a minute: the next tick tries again */ });
  }

  window.setInterval(refreshCountdowns, COUNTDOWN_EVERY_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshCountdowns(); });
  window.helpdeskRefreshCountdowns = refreshCountdowns;
})();
