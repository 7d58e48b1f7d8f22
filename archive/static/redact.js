// Archivists' record page: selecting words in the record's text fills the "Redact a passage" form
// with those words and where they start (paragraph's data-start + characters before the selection).
// Without JavaScript the form works the same with words typed, or first and last characters.
(function () {
  "use strict";

  function offsetIn(ptext, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(ptext);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function paragraphOf(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    return el ? el.closest("#record-text p[data-start]") : null;
  }

  function fill() {
    var form = document.getElementById("redact-form");
    var selection = window.getSelection();
    if (!form || !selection || selection.isCollapsed || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    var first = paragraphOf(range.startContainer), last = paragraphOf(range.endContainer);
    if (!first || !last) return;
    var words = selection.toString().trim();
    if (!words) return;
    var start = Number(first.dataset.start) + offsetIn(first.querySelector(".ptext"), range.startContainer, range.startOffset);
    var passage = form.querySelector("[name=passage]");
    if (passage) passage.value = words;
    // the place tells which of several identical passages was meant; the words give its length
    form.querySelector("[name=start]").value = String(start);
    form.querySelector("[name=end]").value = "";
    var reason = form.querySelector("[name=reason]");
    if (reason && !reason.value) reason.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var text = document.getElementById("record-text");
    if (!text || !document.getElementById("redact-form")) return;
    text.addEventListener("mouseup", fill);
    text.addEventListener("keyup", function (e) { if (e.shiftKey) fill(); });
  });
})();
