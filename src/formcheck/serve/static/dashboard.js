// "Compare": the two sets ticked, side by side.
(function () {
  "use strict";
  document.getElementById("compare-go").addEventListener("click", function () {
    var ticked = Array.prototype.slice.call(document.querySelectorAll("input[name=pick]:checked"));
    if (ticked.length !== 2) { window.alert("Tick two sets to compare."); return; }
    window.location.href = "/compare?a=" + ticked[0].value + "&b=" + ticked[1].value;
  });
})();
