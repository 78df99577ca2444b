// Names for the admin's inputs that Django leaves unnamed, so that a screen reader says which field it is:
// the autocomplete boxes (Select2 names its combobox after an empty span) and the cells of tabular inlines
// (their only label is the column's header).
(function () {
  "use strict";
  function clean(text) { return text.replace(/[:：?？]\s*$/, "").replace(/\s+/g, " ").trim(); }

  function columnNames(table) {
    var names = {};
    table.querySelectorAll("thead th").forEach(function (th) {
      th.classList.forEach(function (cls) {
        if (cls.indexOf("column-") === 0) { names[cls.slice(7)] = clean(th.textContent); }
      });
    });
    return names;
  }

  function nameOf(control) {
    if (control.id && document.querySelector('label[for="' + control.id + '"]')) {
      return clean(document.querySelector('label[for="' + control.id + '"]').textContent);
    }
    var cell = control.closest("td");
    var table = control.closest("table");
    if (!cell || !table) { return ""; }
    if (cell.classList.contains("delete")) { return "删除"; }
    var names = columnNames(table);
    var text = "";
    cell.classList.forEach(function (cls) {
      if (cls.indexOf("field-") === 0 && names[cls.slice(6)]) { text = names[cls.slice(6)]; }
    });
    return text;
  }

  function label(root) {
    root.querySelectorAll(".tabular td input:not([type=hidden]), .tabular td select, .tabular td textarea")
      .forEach(function (control) {
        if (control.labels && control.labels.length) { return; }
        if (control.hasAttribute("aria-label")) { return; }
        var text = nameOf(control);
        if (text) { control.setAttribute("aria-label", text); }
      });
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var text = nameOf(select);
      if (!container || !text) { return; }
      container.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (el) {
        el.setAttribute("aria-label", text);
      });
    });
  }
  window.addEventListener("load", function () { label(document); });
  document.addEventListener("formset:added", function (event) { label(event.target); });
})();
