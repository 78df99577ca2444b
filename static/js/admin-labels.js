// Names for the admin's inputs that Django leaves unnamed, so that a screen reader says which field it is:
// the autocomplete boxes (Select2 names its combobox after an empty span) and the cells of tabular inlines
// and the changelist's editable columns (their only label is the column's header).
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
    var cells = ".tabular td, #result_list td";  // inline rows, and the changelist's editable columns
    root.querySelectorAll(cells.split(", ").map(function (c) {
      return c + " input:not([type=hidden]), " + c + " select, " + c + " textarea";
    }).join(", "))
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
      container.querySelectorAll('[role="combobox"], [role="textbox"], input.select2-search__field')
        .forEach(function (el) { el.setAttribute("aria-label", text); });
    });
    // The two-box chooser (SelectFilter2) names its filter's icon, which may not carry a name: the filter's
    // input takes it.
    root.querySelectorAll(".selector-filter span[aria-label]").forEach(function (span) {
      var input = span.closest(".selector-filter").querySelector("input");
      if (input && !input.hasAttribute("aria-label")) { input.setAttribute("aria-label", span.getAttribute("aria-label")); }
      span.removeAttribute("aria-label");
    });
    // A date and time in two inputs (SplitDateTimeWidget): "上次登录（日期）", "上次登录（时间）".
    root.querySelectorAll('input[id$="_0"], input[id$="_1"]').forEach(function (input) {
      if ((input.labels && input.labels.length) || input.hasAttribute("aria-label")) { return; }
      var base = input.id.slice(0, -2);
      var row = input.closest(".form-row, fieldset");
      var named = document.querySelector('label[for="' + base + '"], label[for="' + base + '_0"]') ||
        (row && row.querySelector("legend, label"));
      if (!named) { return; }
      var part = input.id.slice(-1) === "0" ? "（日期）" : "（时间）";
      input.setAttribute("aria-label", clean(named.textContent) + part);
    });
  }
  // Select2 and the two-box chooser build their boxes when they start, which may be after the page has loaded:
  // whatever is added to the page is named as it comes.
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    Promise.resolve().then(function () { pending = false; label(document); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  window.addEventListener("load", function () { label(document); });
  document.addEventListener("formset:added", function (event) { label(event.target); });
})();
