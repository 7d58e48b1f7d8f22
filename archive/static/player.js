// The record page's players (templates/public/_recordings.html): the cue being spoken is marked
// (aria-current, class "current") as a recording plays, and a click on a cue's or a segment's time
// plays from there instead of loading the page again. Without this script each time is a link to
// the page with `?t=`, which the server starts the player at; with it, nothing moves the reader's
// focus or the page: only the transcript's own box scrolls, and only while the reader is not in it.
(function () {
  "use strict";
  document.querySelectorAll("audio.player, video.player").forEach(function (player) {
    var mid = player.dataset.media;
    var list = document.querySelector('ol.cues[data-media="' + mid + '"]');
    var cues = list ? Array.prototype.slice.call(list.querySelectorAll("a[data-start]")) : [];
    var current = null;

    function mark() {
      var t = player.currentTime, found = null;
      for (var i = 0; i < cues.length; i++) {
        if (t >= parseFloat(cues[i].dataset.start) && t < parseFloat(cues[i].dataset.end)) { found = cues[i]; }
      }
      if (found === current) { return; }
      cues.forEach(function (a) {
        var item = a.parentElement;
        if (a === found) { item.classList.add("current"); item.setAttribute("aria-current", "true"); }
        else { item.classList.remove("current"); item.removeAttribute("aria-current"); }
      });
      current = found;
      if (found && list && !list.contains(document.activeElement) && list.scrollHeight > list.clientHeight) {
        list.scrollTop = found.parentElement.offsetTop - list.offsetTop - list.clientHeight / 3;
      }
    }

    function startAt() {
      var t = parseFloat(player.dataset.start || "");
      if (!isNaN(t) && Math.abs(player.currentTime - t) > 0.25) { player.currentTime = t; }
      mark();
    }

    player.addEventListener("timeupdate", mark);
    player.addEventListener("seeked", mark);
    if (player.readyState >= 1) { startAt(); } else { player.addEventListener("loadedmetadata", startAt, { once: true }); }
    document.querySelectorAll('a[data-media="' + mid + '"][data-start]').forEach(function (a) {
      a.addEventListener("click", function (event) {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
        event.preventDefault();
        player.currentTime = parseFloat(a.dataset.start);
        var playing = player.play();
        if (playing && playing.catch) { playing.catch(function () {}); }
        if (window.history && history.replaceState) { history.replaceState(null, "", a.href); }
        mark();
      });
    });
  });
})();
