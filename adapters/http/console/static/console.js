// Progressive enhancement only: every page works without this script.
(function () {
  "use strict";
  function minutesLeft(deadline) { return Math.round((deadline - Date.now()) / 60000); }
  function tickSla() {
    document.querySelectorAll(".sla[data-deadline]").forEach(function (el) {
      var left = minutesLeft(Number(el.getAttribute("data-deadline")));
      var zh = document.documentElement.lang.indexOf("zh") === 0;
      el.className = "sla " + (left <= 0 ? "late" : left < 10 ? "soon" : "ok");
      el.textContent = left <= 0
        ? (zh ? "已超时 " + (-left) + " 分钟" : "Overdue " + (-left) + " min")
        : (zh ? "剩余 " + left + " 分钟" : left + " min left");
    });
  }
  // The evidence viewer: full size, zoom (buttons, wheel, + -), pan by dragging,
  // previous/next (buttons, arrow keys), close (button, Esc), and each photo's caption,
  // capture time, distance and flags copied from its card.
  function lightbox() {
    var box = document.getElementById("lightbox");
    var links = Array.prototype.slice.call(document.querySelectorAll("a.zoom"));
    if (!box || !links.length) { return; }
    var img = box.querySelector("img");
    var info = box.querySelector(".viewer-info");
    var count = box.querySelector(".viewer-count");
    var index = 0, scale = 1, x = 0, y = 0, opener = null;
    function apply() { img.style.transform = "translate(" + x + "px," + y + "px) scale(" + scale + ")"; }
    function zoom(factor) { scale = Math.min(8, Math.max(1, scale * factor)); if (scale === 1) { x = y = 0; } apply(); }
    function show(i) {
      index = (i + links.length) % links.length;
      var link = links[index];
      scale = 1; x = y = 0; apply();
      img.src = link.getAttribute("data-full");
      var card = link.closest("figure").querySelector(".photo-info");
      info.innerHTML = card ? card.innerHTML : "";
      img.alt = link.querySelector("img").alt;
      count.textContent = (index + 1) + " / " + links.length;
    }
    function open(i, from) { opener = from; box.hidden = false; show(i); box.querySelector("[data-act=close]").focus(); }
    function close() { box.hidden = true; img.removeAttribute("src"); if (opener) { opener.focus(); } }
    links.forEach(function (link, i) {
      link.addEventListener("click", function (event) { event.preventDefault(); open(i, link); });
    });
    box.addEventListener("click", function (event) {
      var act = event.target.closest("[data-act]");
      if (!act) { return; }
      var what = act.getAttribute("data-act");
      if (what === "close") { close(); } else if (what === "prev") { show(index - 1); }
      else if (what === "next") { show(index + 1); } else if (what === "zoom-in") { zoom(1.5); }
      else if (what === "zoom-out") { zoom(1 / 1.5); } else if (what === "reset") { scale = 1; x = y = 0; apply(); }
    });
    box.querySelector(".viewer-stage").addEventListener("wheel", function (event) {
      event.preventDefault(); zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2);
    }, { passive: false });
    var drag = null;
    img.addEventListener("pointerdown", function (event) {
      if (scale === 1) { return; }
      drag = { px: event.clientX, py: event.clientY, x: x, y: y }; img.setPointerCapture(event.pointerId);
    });
    img.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      x = drag.x + event.clientX - drag.px; y = drag.y + event.clientY - drag.py; apply();
    });
    img.addEventListener("pointerup", function () { drag = null; });
    document.addEventListener("keydown", function (e) {
      if (box.hidden) { return; }
      if (e.key === "Escape") { close(); } else if (e.key === "ArrowLeft") { show(index - 1); }
      else if (e.key === "ArrowRight") { show(index + 1); } else if (e.key === "+" || e.key === "=") { zoom(1.5); }
      else if (e.key === "-") { zoom(1 / 1.5); }
    });
  }
  function confirmDanger() {
    document.querySelectorAll("form.danger").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var zh = document.documentElement.lang.indexOf("zh") === 0;
        if (!window.confirm(zh ? "确认不予快处、转现场处理？" : "Refuse quick handling?")) { event.preventDefault(); }
      });
    });
  }
  // The rule list filters as the officer types; picking a rule fills in the levels it
  // gives when they follow from it (the server checks them again whatever is sent).
  function rulePicker() {
    var filter = document.getElementById("rule-filter");
    var select = document.getElementById("rule");
    if (!filter || !select) { return; }
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (opt) {
        opt.hidden = q !== "" && opt.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    var form = select.form;
    var a = form.querySelector("select[name=level_A]");
    var b = form.querySelector("select[name=level_B]");
    function complement(changed, other) {
      var opt = select.options[select.selectedIndex];
      var pair = opt && opt.getAttribute("data-levels");
      if (!pair) { return; }
      var levels = pair.split("|");
      if (changed.value === levels[0]) { other.value = levels[1]; }
      else if (changed.value === levels[1]) { other.value = levels[0]; }
    }
    select.addEventListener("change", function () {
      var opt = select.options[select.selectedIndex];
      var pair = opt && opt.getAttribute("data-levels");
      if (pair && pair.split("|")[0] === pair.split("|")[1]) { a.value = b.value = pair.split("|")[0]; }
      else if (pair && a.value) { complement(a, b); }
    });
    a.addEventListener("change", function () { complement(a, b); });
    b.addEventListener("change", function () { complement(b, a); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tickSla(); setInterval(tickSla, 30000); lightbox(); confirmDanger(); rulePicker();
  });
})();
