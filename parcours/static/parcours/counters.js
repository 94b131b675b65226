// Live character counters for fields with a maximum length (OFF-8 to OFF-14).
(function () {
  function attach(root) {
    root.querySelectorAll("[data-counter]").forEach(function (field) {
      if (field.dataset.counterReady) return;
      field.dataset.counterReady = "1";
      var max = parseInt(field.getAttribute("maxlength"), 10);
      var out = document.getElementById(field.id + "-counter");
      if (!out || !max) return;
      var update = function () {
        var left = max - field.value.length;
        out.textContent = field.value.length + " / " + max + " caractères" + (left < 0 ? " — trop long" : "");
      };
      field.addEventListener("input", update);
      update();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { attach(document); });
  document.addEventListener("htmx:afterSwap", function (e) { attach(e.target); });
})();
