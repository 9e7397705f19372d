// A set still being analysed: reload the page until it is finished.
(function () {
  "use strict";
  window.setTimeout(function () { window.location.reload(); }, 3000);
})();
