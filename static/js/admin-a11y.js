"use strict";
// Accessible names for the admin's select2 boxes (autocomplete fields). select2 names its box after the
// element showing the current choice, which is empty until something is chosen, and leaves the search
// box of a multiple select without a name. Each gets the name of the select it stands for: its
// aria-label, else the text of its <label>. Also: a role for the named icons of the two-list selector.
(function () {
  function nameOf(select) {
    const given = select.getAttribute("aria-label");
    if (given) return given;
    const label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const container = select.nextElementSibling;
      const name = nameOf(select);
      if (!name || !container || !container.classList.contains("select2")) return;
      container.querySelectorAll(".select2-selection").forEach(function (box) {
        if (box.getAttribute("aria-label") !== name) {
          box.removeAttribute("aria-labelledby");
          box.setAttribute("aria-label", name);
        }
      });
      container.querySelectorAll('.select2-selection__rendered[role="textbox"]').forEach(function (shown) {
        if (!shown.getAttribute("aria-label")) shown.setAttribute("aria-label", name + ": chosen");
      });
      // The mouse-only "×" that clears a multiple select sits inside its list of choices: out of the tree.
      container.querySelectorAll("ul > .select2-selection__clear").forEach(function (clear) {
        clear.setAttribute("role", "none");
        clear.setAttribute("aria-hidden", "true");
      });
      container.querySelectorAll(".select2-search__field").forEach(function (input) {
        if (!input.getAttribute("aria-label")) input.setAttribute("aria-label", name + ": type to search");
      });
    });
    // The magnifier icons of the two-list selector (filter_horizontal) carry a name but no role.
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    // The search box of an open single select's list, which select2 puts at the end of the page.
    document.querySelectorAll(".select2-dropdown .select2-search__field:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", "Type to search");
    });
  }

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      nameBoxes();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameBoxes();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  });
})();
