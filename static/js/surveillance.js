/* Surveillance forms: pick a lot from the search list; show the stability fields of the chosen
 * method. Every form works without this script: the lot number is typed, all fields are shown. */
(function () {
  "use strict";

  function pickLot(pick) {
    var field = pick.closest("[data-lot-field]");
    if (!field) return;
    var form = field.closest("form");
    field.querySelector("[data-lot-number]").value = pick.dataset.lotNumber;
    var id = field.querySelector("[data-lot-id]");
    if (id) id.value = pick.dataset.lotId;
    var place = form.querySelector('select[data-role="storehouse"]');
    if (place) {
      var value = "s:" + pick.dataset.storehouse;
      if (place.querySelector('option[value="' + value + '"]')) place.value = value;
    }
    var depot = form.querySelector('select[name="depot"]');
    if (depot && depot.querySelector('option[value="' + pick.dataset.depot + '"]')) {
      depot.value = pick.dataset.depot;
    }
    field.querySelector(".lot-results").innerHTML = "";
  }

  function showMethodFields(select) {
    var form = select.closest("form");
    var passFail = JSON.parse(select.dataset.passFail || "[]");
    var chosen = select.value ? (passFail.indexOf(select.value) >= 0 ? "pass_fail" : "content") : "";
    form.querySelectorAll("fieldset[data-for]").forEach(function (group) {
      var off = chosen !== "" && group.dataset.for !== chosen;
      group.hidden = off;
      group.disabled = off; // a hidden group's fields are not sent
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-method]").forEach(showMethodFields);
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-method]")) showMethodFields(event.target);
  });

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-lot-pick]");
    if (pick && pick.closest("[data-lot-field]")) {
      event.preventDefault();
      pickLot(pick);
      return;
    }
    document.querySelectorAll("[data-lot-field] .lot-results").forEach(function (results) {
      if (!results.contains(event.target) && results.querySelector("[data-lot-pick]")) {
        results.innerHTML = "";
      }
    });
  });

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-lot-field] [data-lot-number]")) return;
    var id = event.target.closest("[data-lot-field]").querySelector("[data-lot-id]");
    if (id) id.value = "";
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var field = event.target.closest && event.target.closest("[data-lot-field]");
    if (field) field.querySelector(".lot-results").innerHTML = "";
  });
})();
