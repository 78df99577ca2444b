// Polls a report build's status and moves the progress bar; shows the download button when the file is ready.
(function () {
  "use strict";
  var box = document.getElementById("report-build");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("report-build-bar");
  var started = Date.now();
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.style.width = s.progress + "%";
        bar.textContent = s.progress + "%";
        bar.parentElement.setAttribute("aria-valuenow", s.progress);
        document.getElementById("report-build-status").textContent = s.status_label;
        document.getElementById("report-build-step").textContent = s.step;
        document.getElementById("report-build-waiting").hidden = !(s.status === "queued" && Date.now() - started > 15000);
        if (s.finished) {
          bar.classList.remove("progress-bar-animated", "progress-bar-striped");
          if (s.download_url) {
            var link = document.getElementById("report-build-download");
            link.href = s.download_url;
            link.classList.remove("d-none");
          }
          if (s.error) document.getElementById("report-build-error").hidden = false;
          return;
        }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
