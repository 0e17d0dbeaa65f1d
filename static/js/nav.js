// The top bar's menu at phone width: the button shows and hides the navigation.
// Without JavaScript the menu is simply always shown (the CSS hides it only under .js).
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var topbar = document.querySelector(".topbar");
  if (!toggle || !topbar) return;
  function setOpen(open) {
    topbar.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  toggle.addEventListener("click", function () {
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && topbar.classList.contains("is-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
})();
