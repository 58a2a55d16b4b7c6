/* Volunteer Hub: copy-link and print buttons. The page works without this file; it only
   reveals and wires the buttons marked data-copy / data-print. */
(function () {
  "use strict";
  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    input.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    var status = button.closest(".copy-row") && button.closest(".copy-row").querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(input).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied") || ""; }
      }, function () {
        input.focus();
        input.select();
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
