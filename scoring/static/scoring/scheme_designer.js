"use strict";
// The scheme designer (admin: 考核方案). A rule's 所属类别 drop-down offers the categories the page's 考核类别 rows
// hold as they are typed, so that a new scheme's rules go into its categories before its first save; a category
// whose code is changed keeps its rules. A rule's box shows the points field its kind takes (and any other that
// is filled in or refused, so that nothing submitted is out of sight). The server checks everything again when
// the page is saved.
(() => {
  const CATEGORY_CODE = /^categories-(\d+)-code$/;
  const KIND_FIELD = { deduction: "points", discretionary: "max_points", bonus: "levels_text", veto: null };
  const POINTS_FIELDS = ["points", "max_points", "levels_text"];

  function showKindFields(box) {
    const kind = box.querySelector('select[name$="-kind"]');
    if (!kind) {
      return;
    }
    const wanted = kind.value in KIND_FIELD ? KIND_FIELD[kind.value] : undefined; // undefined: no kind yet
    for (const name of POINTS_FIELDS) {
      const input = box.querySelector(`[name$="-${name}"]`);
      const wrapper = name === "levels_text" ?
        box.querySelector(".form-row.field-levels_text") :
        box.querySelector(`.fieldBox.field-${name}`)?.parentElement;
      if (!input || !wrapper) {
        continue;
      }
      const shown = wanted === undefined || name === wanted || input.value.trim() !== "" ||
        wrapper.querySelector(".errorlist") !== null;
      wrapper.style.display = shown ? "" : "none";
    }
  }

  function ruleBox(element) {
    return element.closest('.inline-related[id^="rules-"]');
  }

  function categories() {
    const rows = [];
    for (const input of document.querySelectorAll('input[name^="categories-"][name$="-code"]')) {
      const match = CATEGORY_CODE.exec(input.name);
      const code = input.value.trim();
      if (!match || !code) {
        continue;
      }
      const prefix = `categories-${match[1]}`;
      const deleted = document.querySelector(`input[name="${prefix}-DELETE"]`);
      if (deleted && deleted.checked) {
        continue;
      }
      const name = document.querySelector(`input[name="${prefix}-name"]`);
      rows.push([code, `${code} ${name ? name.value.trim() : ""}`.trim()]);
    }
    return rows;
  }

  function refresh(renamed) {
    const rows = categories();
    for (const select of document.querySelectorAll('select[name^="rules-"][name$="-category_code"]')) {
      let value = select.value;
      if (renamed && value === renamed.from) {
        value = renamed.to;
      }
      select.replaceChildren(new Option("---------", ""));
      for (const [code, label] of rows) {
        select.add(new Option(label, code));
      }
      if (value && !rows.some(([code]) => code === value)) {
        select.add(new Option(`${value}（上方已无此类别，请重新选择）`, value));
      }
      select.value = value;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!document.querySelector('select[name^="rules-"][name$="-category_code"]') &&
        !document.querySelector('input[name^="categories-"][name$="-code"]')) {
      return; // a read-only view
    }
    for (const input of document.querySelectorAll('input[name^="categories-"][name$="-code"]')) {
      input.dataset.previous = input.value.trim();
    }
    document.addEventListener("input", (event) => {
      const input = event.target;
      const named = input instanceof HTMLInputElement && /^categories-\d+-(code|name)$/.test(input.name);
      if (!named) {
        return;
      }
      let renamed = null;
      if (CATEGORY_CODE.test(input.name)) {
        const from = input.dataset.previous || "";
        const to = input.value.trim();
        // A code cleared to be retyped keeps its rules for the code typed next.
        renamed = from && to ? { from, to } : null;
        if (to) {
          input.dataset.previous = to;
        }
      }
      refresh(renamed);
    });
    document.addEventListener("change", (event) => {
      const target = event.target;
      if (target instanceof HTMLInputElement && /^categories-\d+-DELETE$/.test(target.name)) {
        refresh(null);
      } else if (target instanceof HTMLSelectElement && /^rules-\d+-kind$/.test(target.name)) {
        showKindFields(ruleBox(target));
      }
    });
    for (const box of document.querySelectorAll('.inline-related[id^="rules-"]')) {
      showKindFields(box);
    }
    document.addEventListener("formset:added", (event) => {
      refresh(null);
      const box = event.target instanceof Element ? ruleBox(event.target) : null;
      if (box) {
        showKindFields(box);
      }
    });
    document.addEventListener("formset:removed", () => refresh(null));
  });
})();
