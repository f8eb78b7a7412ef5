// On a phone the workbench tabs scroll sideways: bring the current one into view.
(function () {
  "use strict";
  var active = document.querySelector(".staff-nav .nav-link.active");
  if (active && active.scrollIntoView) {
    active.scrollIntoView({ block: "nearest", inline: "center" });
  }
})();
