// Forms that forgive: on every page.
// - Text fields count what was typed against their limit instead of cutting a paste short:
//   the browser's maxlength would drop the end silently; the server says how much is allowed.
// - A field's error goes away as soon as the person changes the field.
// - A form marked data-submit-once sends once: its button says it is sending, and a second
//   tap (or the back button and a resubmit) does not make a second wish.
(function () {
  "use strict";

  var page = document.documentElement;
  var words = {
    count: page.dataset.charCount || "%(n)s / %(max)s",
    over: page.dataset.charOver || "%(over)s too many",
    sending: page.dataset.sending || "…",
  };

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function length(text) {
    // What the server counts: characters, not UTF-16 units (emoji are one each).
    return Array.from(text.replace(/\r\n/g, "\n")).length;
  }

  document.querySelectorAll("input[maxlength], textarea[maxlength]").forEach(function (field) {
    if (field.type && ["text", "search", "tel", "email", "url", "textarea"].indexOf(field.type) < 0) return;
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (field.type === "tel") {
      // A number pasted with spaces (137 0437 0009) is longer than its digits: never cut it.
      field.removeAttribute("maxlength");
      return;
    }
    if (!max || max < 20) return; // short codes keep the browser's own limit
    field.removeAttribute("maxlength");
    field.dataset.maxlength = String(max);
    var counter = document.createElement("div");
    counter.className = "form-text char-count";
    counter.id = (field.id || field.name) + "-count";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    function update() {
      var n = length(field.value);
      var over = n - max;
      counter.textContent = over > 0 ? fill(words.over, { over: over, max: max, n: n })
                                     : fill(words.count, { n: n, max: max });
      // Quiet until it matters: from half the limit on, and always once over it.
      counter.hidden = n < max / 2 || field.classList.contains("is-invalid");
      counter.classList.toggle("text-danger", over > 0);
      counter.classList.toggle("fw-semibold", over > 0);
      // Only announce near and over the limit; a count on every key is noise to a screen reader.
      counter.setAttribute("aria-live", n > max * 0.9 ? "polite" : "off");
    }
    field.addEventListener("input", update);
    update();
  });

  // The error under a field belongs to what was there; once it changes, the error goes.
  function clearError(event) {
    var field = event.target;
    // An error about several fields together (a date range) goes when any of them changes.
    var notes = field.form ? field.form.querySelectorAll("[data-form-error]") : [];
    if (notes.length) {
      notes.forEach(function (note) { note.hidden = true; });
      field.form.querySelectorAll(".is-invalid").forEach(function (other) {
        other.classList.remove("is-invalid");
      });
    }
    if (!field.classList || !field.classList.contains("is-invalid")) return;
    field.classList.remove("is-invalid");
    field.removeAttribute("aria-invalid");
    var wrapper = field.closest("[id^='div_id_'], .mb-3, fieldset") || field.parentElement;
    if (!wrapper) return;
    wrapper.querySelectorAll(".invalid-feedback, .errorlist").forEach(function (note) {
      note.hidden = true;
      note.classList.remove("d-block");
    });
    wrapper.querySelectorAll(".is-invalid").forEach(function (other) {
      other.classList.remove("is-invalid");
    });
  }
  document.addEventListener("input", clearError, true);
  document.addEventListener("change", clearError, true);

  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        // A disabled button is not sent: carry its name and value in a hidden field.
        var carry = document.createElement("input");
        carry.type = "hidden";
        carry.name = pressed.name;
        carry.value = pressed.value;
        form.appendChild(carry);
      }
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
          if (button === pressed || !pressed) {
            button.dataset.label = button.innerHTML;
            button.textContent = words.sending;
          }
        });
      }, 0);
    });
  });

  // Back to a page kept in memory: its forms may be sent again (the server refuses a repeat).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      form.dataset.sending = "";
      form.querySelectorAll("button[disabled]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        if (button.dataset.label) button.innerHTML = button.dataset.label;
      });
    });
  });
})();
