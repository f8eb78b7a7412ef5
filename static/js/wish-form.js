// Show only the help text of the category chosen (all of them show without JavaScript).
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  var items = document.querySelectorAll(".category-help [data-category]");
  if (!select || !items.length) return;
  function update() {
    items.forEach(function (item) {
      item.hidden = select.value !== "" && item.dataset.category !== select.value;
    });
  }
  select.addEventListener("change", update);
  update();
})();
