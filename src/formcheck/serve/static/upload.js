// The athlete's upload: the form posted with XMLHttpRequest, so the bar shows the bytes sent;
// then the page follows the analysis until every set is finished. Without script the form
// still posts as a plain multipart form.
(function () {
  "use strict";
  var form = document.getElementById("upload");
  var bar = document.getElementById("upload-progress");
  var message = document.getElementById("upload-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = e.loaded / e.total; }
    };
    xhr.onload = function () {
      var reply = {};
      try { reply = JSON.parse(xhr.responseText); } catch (err) { reply = {}; }
      message.textContent = reply.message || ("Upload failed (" + xhr.status + ").");
      message.className = xhr.status < 400 ? "" : "error";
      if (xhr.status < 400) { window.setTimeout(function () { window.location.reload(); }, 600); }
      else { form.querySelector("button").disabled = false; }
    };
    xhr.onerror = function () {
      message.textContent = "The upload was cut off: nothing was stored. Try again.";
      message.className = "error";
      form.querySelector("button").disabled = false;
    };
    bar.hidden = false; bar.value = 0;
    message.textContent = "Uploading…"; message.className = "";
    form.querySelector("button").disabled = true;
    xhr.send(new FormData(form));
  });
  // follow queued and running sets
  var pending = document.querySelectorAll("tr[data-status=queued], tr[data-status=running]");
  if (pending.length) {
    window.setInterval(function () {
      fetch(window.location.pathname.replace(/\/$/, "") + "/status", { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var changed = data.sets.some(function (s) {
            var row = document.querySelector('tr[data-set="' + s.id + '"]');
            return !row || row.getAttribute("data-status") !== s.status;
          });
          if (changed) { window.location.reload(); }
          data.sets.forEach(function (s) {
            var p = document.querySelector('tr[data-set="' + s.id + '"] progress');
            if (p) { p.value = s.progress; }
          });
        })
        .catch(function () {});
    }, 2000);
  }
})();
