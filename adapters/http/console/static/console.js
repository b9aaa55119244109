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
  function lightbox() {
    var box = document.getElementById("lightbox");
    if (!box) { return; }
    var img = box.querySelector("img");
    document.querySelectorAll("a.zoom").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        img.src = link.getAttribute("data-full");
        box.hidden = false;
      });
    });
    box.addEventListener("click", function () { box.hidden = true; img.removeAttribute("src"); });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") { box.hidden = true; } });
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
