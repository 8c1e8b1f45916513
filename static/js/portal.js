/* What the pages' inline handlers did, from a file, because the Content-Security-Policy allows
   no inline script (povertyplan/settings.py, CONTENT_SECURITY_POLICY):
   - a <select> or checkbox marked data-autosubmit submits its form when changed (year, plan,
     structure and reason pickers);
   - a link marked data-print prints the page. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.form && field.hasAttribute("data-autosubmit")) field.form.submit();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-print]") : null;
    if (!link) return;
    event.preventDefault();
    window.print();
  });
})();
