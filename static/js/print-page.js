// 打印 buttons: <button data-print hidden>; hidden without JavaScript and, by print.css, on paper.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
    button.hidden = false;
  });
})();
