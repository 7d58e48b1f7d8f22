// Archivists' record page: selecting words in the record's text fills the "Redact a passage" form
// with those words and where they start (paragraph's data-start + characters before the selection).
// Without JavaScript the form works the same with words typed, or first and last characters.
// Ticking cues of a transcript fills "Redact a time range" with their span.
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

  // Ticking cues of the transcript fills "Redact a time range" with the span they cover (one
  // recording at a time: ticking a cue of another unticks the first one's).
  function pickCues(event) {
    var box = event.target;
    var form = document.getElementById("redact-time-form");
    if (!form || !box.classList.contains("pick-cue")) return;
    var boxes = document.querySelectorAll("input.pick-cue:checked");
    var from = Infinity, to = -Infinity;
    Array.prototype.forEach.call(boxes, function (b) {
      if (b.dataset.media !== box.dataset.media) { b.checked = false; return; }
      from = Math.min(from, Number(b.dataset.start));
      to = Math.max(to, Number(b.dataset.end));
    });
    var media = form.querySelector("[name=media]");
    if (media) media.value = box.dataset.media;
    form.querySelector("[name=time_from]").value = from === Infinity ? "" : String(from);
    form.querySelector("[name=time_to]").value = to === -Infinity ? "" : String(to);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("change", pickCues);
    var text = document.getElementById("record-text");
    if (!text || !document.getElementById("redact-form")) return;
    text.addEventListener("mouseup", fill);
    text.addEventListener("keyup", function (e) { if (e.shiftKey) fill(); });
  });
})();
