// Knowledge base: the "Cite" buttons of the case page's knowledge card put the article reference (or an
// approved wording) into the reply draft textarea (#reply-text, or the reply form's textarea[name=text]) at the
// cursor. If the reply form is closed it is opened first, and the text goes in once htmx has loaded the draft.
(function () {
  "use strict";
  if (window.ecohotlineKnowledgeCite) { return; }
  window.ecohotlineKnowledgeCite = true;

  function replyTextarea() {
    return document.getElementById("reply-text") ||
      document.querySelector("#action-reply textarea[name='text']");
  }

  // A textarea the user has not been in yet (a draft just loaded) gets the text at its end; otherwise at the
  // cursor (or over the selection) the user left there.
  document.addEventListener("focusin", function (event) {
    if (event.target && event.target.tagName === "TEXTAREA") { event.target.dataset.knowledgeTouched = "1"; }
  });

  function insertAt(textarea, text) {
    var touched = textarea.dataset.knowledgeTouched === "1";
    var start = touched && typeof textarea.selectionStart === "number" ? textarea.selectionStart : textarea.value.length;
    var end = touched && typeof textarea.selectionEnd === "number" ? textarea.selectionEnd : start;
    if (!touched && textarea.value && !/\n$/.test(textarea.value)) { text = "\n" + text; }
    textarea.focus();
    textarea.setRangeText(text, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function status(button, message) {
    var card = button.closest("#case-knowledge");
    var line = card && card.querySelector(".knowledge-cite-status");
    if (line) { line.textContent = message; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-cite]") : null;
    if (!button) { return; }
    event.preventDefault();
    var text = button.getAttribute("data-cite");
    var panel = document.getElementById("action-reply");
    if (panel && !panel.open) {
      // Opening the panel makes htmx swap in the reply draft; insert into the new textarea once it is there.
      var done = false;
      var finish = function () {
        if (done) { return; }
        var textarea = document.getElementById("reply-text") || replyTextarea();
        if (!textarea) { return; }
        done = true;
        document.removeEventListener("htmx:afterSettle", finish);
        insertAt(textarea, text);
      };
      document.addEventListener("htmx:afterSettle", finish);
      panel.open = true;
      window.setTimeout(finish, 1500);
      return;
    }
    var textarea = replyTextarea();
    if (!textarea) {
      if (navigator.clipboard) { navigator.clipboard.writeText(text); }
      status(button, button.closest("#case-knowledge").getAttribute("data-no-reply") || "");
      return;
    }
    insertAt(textarea, text);
  });
})();
