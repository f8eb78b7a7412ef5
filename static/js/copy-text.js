// 复制 buttons: copy a textarea's text, falling back to selecting it for a manual copy.
// <button data-copy-target="textarea-id" data-copy-status="live-region-id"
//         data-copied="…" data-failed="…" hidden>
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!source) return;
    var timer = null;

    function say(message) {
      if (!status) return;
      // Emptying first makes screen readers announce the same message again.
      status.textContent = "";
      window.clearTimeout(timer);
      window.setTimeout(function () {
        status.textContent = message;
        timer = window.setTimeout(function () { status.textContent = ""; }, 5000);
      }, 50);
    }

    function selectAll() {
      source.focus();
      source.select();
      source.setSelectionRange(0, source.value.length); // iOS ignores select() alone
    }

    function fallback() {
      selectAll();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      say(copied ? button.dataset.copied : button.dataset.failed);
    }

    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(function () {
          say(button.dataset.copied);
        }, fallback);
      } else {
        fallback();
      }
    });
    // Tapping the text selects all of it, ready for a long-press copy.
    source.addEventListener("focus", function () { source.select(); });
    button.hidden = false; // without JavaScript there is only the text to select by hand
  });
})();
