// The admin's autocomplete boxes (Select2) name their combobox after an empty span: give each the text of its
// field's label, so that a screen reader says which field it is.
(function () {
  "use strict";
  function label(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var named = select.id && document.querySelector('label[for="' + select.id + '"]');
      if (!container || !named) { return; }
      var text = named.textContent.replace(/[:：]\s*$/, "").trim();
      container.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (el) {
        el.setAttribute("aria-label", text);
      });
    });
  }
  window.addEventListener("load", function () { label(document); });
  document.addEventListener("formset:added", function (event) { label(event.target); });
})();
