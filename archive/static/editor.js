// Typing help for the archivist forms: a field with data-suggest="person|event|place" offers the
// names and variants the archive knows (from /suggest) for the line being typed. Without JavaScript
// the fields are plain text ("one per line: name | role") and work the same.
(function () {
  "use strict";
  var timer = null;

  function currentLine(field) {
    if (field.dataset.single) return { start: 0, end: field.value.length };
    var v = field.value, at = field.selectionStart;
    var start = v.lastIndexOf("\n", at - 1) + 1, end = v.indexOf("\n", at);
    return { start: start, end: end < 0 ? v.length : end };
  }

  function typedName(field) {
    var line = currentLine(field);
    return field.value.slice(line.start, line.end).split("|")[0].trim();
  }

  function choose(field, list, name) {
    var line = currentLine(field);
    var text = field.value.slice(line.start, line.end);
    var bar = text.indexOf("|");
    var rest = bar >= 0 ? " " + text.slice(bar) : "";
    field.value = field.value.slice(0, line.start) + name + rest + field.value.slice(line.end);
    var caret = line.start + name.length + rest.length;
    field.focus();
    field.setSelectionRange(caret, caret);
    list.hidden = true;
  }

  function show(field, list, items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = item.name;
      button.addEventListener("click", function () { choose(field, list, item.name); });
      li.appendChild(button);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }

  function attach(field) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.hidden = true;
    list.setAttribute("aria-label", "Known names");
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("autocomplete", "off");
    field.addEventListener("input", function () {
      clearTimeout(timer);
      var q = typedName(field);
      if (q.length < 2) { list.hidden = true; return; }
      timer = setTimeout(function () {
        fetch("/suggest?kind=" + encodeURIComponent(field.dataset.suggest) + "&q=" + encodeURIComponent(q),
              { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            if (typedName(field) === q) show(field, list, items.filter(function (i) {
              return i.name !== q && i.id !== field.dataset.exclude;  // never the one being merged
            }));
          })
          .catch(function () { list.hidden = true; });
      }, 150);
    });
    field.addEventListener("keydown", function (e) {
      if (e.key === "Escape") list.hidden = true;
      if (e.key === "ArrowDown" && !list.hidden && list.firstChild) {
        e.preventDefault();
        list.firstChild.firstChild.focus();
      }
    });
    list.addEventListener("keydown", function (e) {
      var li = document.activeElement && document.activeElement.parentElement;
      if (e.key === "ArrowDown" && li && li.nextSibling) { e.preventDefault(); li.nextSibling.firstChild.focus(); }
      if (e.key === "ArrowUp" && li) {
        e.preventDefault();
        if (li.previousSibling) li.previousSibling.firstChild.focus(); else field.focus();
      }
      if (e.key === "Escape") { list.hidden = true; field.focus(); }
    });
  }

  document.querySelectorAll("[data-suggest]").forEach(attach);
})();
