// The code form of a democratic evaluation: choosing a department fills the count with its active people in
// the roster (the option's data-roster-count); the count can still be changed by hand.
document.addEventListener("DOMContentLoaded", function () {
  var department = document.getElementById("id_department");
  var count = document.getElementById("id_count");
  if (!department || !count) {
    return;
  }
  department.addEventListener("change", function () {
    var option = department.options[department.selectedIndex];
    count.value = option && option.dataset.rosterCount ? option.dataset.rosterCount : "";
  });
});
