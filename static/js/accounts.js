/* Sign-up form: ask only what the chosen role needs, and offer only the chosen community's grids.
   Without this script every question shows and the server still checks the answers. */
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) {
    return;
  }
  var residentFields = document.getElementById("resident-fields");
  var volunteerFields = document.getElementById("volunteer-fields");
  var community = form.elements.namedItem("community");
  var grid = form.elements.namedItem("grid");

  function chosenRole() {
    var checked = form.querySelector('input[name="role"]:checked');
    return checked ? checked.value : "";
  }

  function showRoleQuestions() {
    var role = chosenRole();
    residentFields.hidden = role !== "resident";
    volunteerFields.hidden = role !== "volunteer";
  }

  function offerCommunityGrids() {
    Array.prototype.forEach.call(grid.options, function (option) {
      if (!option.value) {
        return;
      }
      var elsewhere = option.getAttribute("data-community") !== community.value;
      option.hidden = elsewhere;
      option.disabled = elsewhere;
      if (elsewhere && option.selected) {
        grid.value = "";
      }
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "role") {
      showRoleQuestions();
    } else if (event.target === community) {
      offerCommunityGrids();
    }
  });
  showRoleQuestions();
  offerCommunityGrids();
})();
