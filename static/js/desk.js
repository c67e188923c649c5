/* Keyboard shortcuts for the desk, and the small behaviours htmx does not cover.
 *
 *   j / k   next / previous ticket in the queue      Enter, o   open it
 *   x       select it for a bulk action              /          search
 *   r / n   write a reply / an internal note         a          assign to me
 *   g q     back to the queues                       ?          this help
 *
 * Keys are ignored while typing in a field; Esc leaves the field.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("sd-js");

  var CURRENT = "sd-current";
  var pendingG = false;

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable='true']") !== null;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-sd-queue] tr[data-sd-row]"));
  }

  function currentIndex(list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].classList.contains(CURRENT)) return i;
    }
    return -1;
  }

  function select(list, index) {
    list.forEach(function (row) { row.classList.remove(CURRENT); row.removeAttribute("aria-current"); });
    var row = list[index];
    if (!row) return;
    row.classList.add(CURRENT);
    row.setAttribute("aria-current", "true");
    sessionStorage.setItem("sd-current-row", row.dataset.href);
    var link = row.querySelector(".sd-ref a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return false;
    var index = currentIndex(list);
    select(list, index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + step)));
    return true;
  }

  function composer(kind) {
    var body = document.getElementById("composer-body");
    if (!body) return false;
    var radio = document.getElementById(kind === "note" ? "kind-note" : "kind-reply");
    if (radio) radio.checked = true;
    body.focus();
    return true;
  }

  function click(selector) {
    var element = document.querySelector(selector);
    if (!element) return false;
    element.click();
    return true;
  }

  function help() {
    var dialog = document.getElementById("sd-shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
    return Boolean(dialog);
  }

  var keys = {
    j: function () { return move(1); },
    k: function () { return move(-1); },
    o: function () { return openCurrent(); },
    Enter: function () { return openCurrent(); },
    x: function () {
      var list = rows();
      var row = list[currentIndex(list)];
      var box = row && row.querySelector("input.sd-select");
      if (box) box.click();
      return Boolean(box);
    },
    "/": function () {
      var search = document.getElementById("q");
      if (!search) { window.location.href = "/desk/"; return true; }
      search.focus();
      search.select();
      return true;
    },
    r: function () { return composer("reply"); },
    n: function () { return composer("note"); },
    a: function () { return click("[data-sd-assign-me]"); },
    "?": help,
  };

  function openCurrent() {
    var list = rows();
    var row = list[currentIndex(list)];
    if (!row) return false;
    window.location.href = row.dataset.href;
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (pendingG) {
      pendingG = false;
      if (event.key === "q") { window.location.href = "/desk/"; event.preventDefault(); }
      return;
    }
    if (event.key === "g") { pendingG = true; return; }
    // Enter on a focused link or button keeps its normal meaning.
    if (event.key === "Enter" && event.target.closest("a, button")) return;
    var action = keys[event.key];
    if (action && action()) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-sd-help]")) help();
    var all = event.target.closest("[data-sd-select-all]");
    if (all) {
      document.querySelectorAll("input.sd-select").forEach(function (box) { box.checked = all.checked; });
    }
  });

  // The queue refreshes itself every few seconds; not while the agent is
  // choosing tickets for a bulk action, which would lose the selection.
  document.addEventListener("htmx:confirm", function (event) {
    if (event.detail.elt.hasAttribute("data-sd-poll") && document.querySelector("input.sd-select:checked")) {
      event.preventDefault();
    }
  });

  // After a refresh, the row the agent was on is still the current one.
  document.addEventListener("htmx:afterSettle", function () {
    var href = sessionStorage.getItem("sd-current-row");
    if (!href) return;
    var list = rows();
    list.forEach(function (row) {
      if (row.dataset.href === href) row.classList.add(CURRENT);
    });
  });
})();
