/* Stockpile posting forms: add lines, pick a lot from the search list, print a voucher.
 * Every page works without this script: forms offer blank lines, lot numbers are typed. */
(function () {
  "use strict";

  function lineOf(element) {
    return element.closest("[data-line]");
  }

  function clearResults(line) {
    var results = line && line.querySelector(".lot-results");
    if (results) results.innerHTML = "";
  }

  function addLine(button) {
    var form = button.closest("form");
    var template = form.querySelector("template[data-empty-line]");
    var list = form.querySelector("[data-lines]");
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    var max = form.querySelector('input[name$="-MAX_NUM_FORMS"]');
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) return;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1))
      .trim();
    var line = holder.firstElementChild;
    list.appendChild(line);
    total.value = String(index + 1);
    if (window.htmx) window.htmx.process(line);
    var first = line.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  function pickLot(pick) {
    var line = lineOf(pick);
    if (!line) return;
    var number = line.querySelector("[data-lot-number]");
    var id = line.querySelector('input[type="hidden"][name$="-lot_id"]');
    if (number) number.value = pick.dataset.lotNumber;
    if (id) id.value = pick.dataset.lotId;
    // An existing lot was picked: the new-lot fields of a receipt line no longer apply.
    line.querySelectorAll("[data-new-lot]").forEach(function (input) { input.value = ""; });
    var storehouse = pick.dataset.storehouse;
    var select = line.querySelector('select[data-role="storehouse"]');
    if (storehouse && select && select.querySelector('option[value="' + storehouse + '"]')) {
      select.value = storehouse;
    }
    clearResults(line);
    var quantity = line.querySelector('input[name$="-quantity"]');
    if (quantity) quantity.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Buttons that need this script stay hidden without it.
    document.querySelectorAll("[data-add-line], [data-print]").forEach(function (button) {
      button.hidden = false;
    });
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    var pick = target.closest("[data-lot-pick]");
    if (pick) {
      event.preventDefault();
      pickLot(pick);
      return;
    }
    var add = target.closest("[data-add-line]");
    if (add) {
      event.preventDefault();
      addLine(add);
      return;
    }
    if (target.closest("[data-print]")) {
      window.print();
      return;
    }
    // A click elsewhere closes any open list of lots.
    document.querySelectorAll(".lot-results").forEach(function (results) {
      if (!results.contains(target) && results.querySelector("[data-lot-pick]")) {
        results.innerHTML = "";
      }
    });
  });

  // Moving on to another field (Tab, or a tap) closes the list of lots; a "no match" note stays,
  // so that nothing below it moves under the finger.
  document.addEventListener("focusin", function (event) {
    if (event.target.closest(".lot-field")) return;
    document.querySelectorAll(".lot-results").forEach(function (results) {
      if (results.querySelector("[data-lot-pick]")) results.innerHTML = "";
    });
  });

  // A receipt line whose lot is not known yet: open its new-lot fields.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector("[data-no-lot-match]")) return;
    var box = lineOf(target) && lineOf(target).querySelector("details.new-lot-box");
    if (box) box.open = true;
  });

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-lot-number]")) return;
    // The typed number no longer names the picked lot: the server finds it by number again.
    var id = lineOf(event.target).querySelector('input[type="hidden"][name$="-lot_id"]');
    if (id) id.value = "";
  });

  // The list of lots from the keyboard: Tab or the down arrow goes into it, the arrows move
  // through it (up from the first lot, back to the lot number), Enter picks; Escape closes it.
  document.addEventListener("keydown", function (event) {
    var line = lineOf(event.target);
    if (!line) return;
    var input = line.querySelector("[data-lot-number]");
    var inList = Boolean(event.target.closest(".lot-results"));
    if (event.key === "Escape") {
      // The focused lot goes with the list: give the focus back to the lot number, not the page.
      if (inList && input) input.focus();
      clearResults(line);
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    if (!inList && event.target !== input) return;
    var picks = Array.prototype.slice.call(line.querySelectorAll(".lot-results [data-lot-pick]"));
    var at = picks.indexOf(event.target.closest("[data-lot-pick]")); // -1: in the lot number
    var next = at + (event.key === "ArrowDown" ? 1 : -1);
    if (!picks.length || next < -1) return;
    event.preventDefault();
    if (next === -1) {
      if (input) input.focus();
    } else {
      picks[Math.min(next, picks.length - 1)].focus();
    }
  });
})();
