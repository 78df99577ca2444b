"use strict";
// The ledger's add form offers the rules of the chosen year's scheme: choosing another year reloads the form
// for that year (the year is the form's first field, so nothing typed is lost).
document.addEventListener("DOMContentLoaded", () => {
  const year = document.getElementById("id_year");
  if (!year || year.disabled) {
    return;
  }
  year.addEventListener("change", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("year", year.value);
    window.location.assign(url.toString());
  });
});
