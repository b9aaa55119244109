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
    document.querySelectorAll("form.action.danger").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var zh = document.documentElement.lang.indexOf("zh") === 0;
        if (!window.confirm(zh ? "确认不予快处、转现场处理？" : "Refuse quick handling?")) { event.preventDefault(); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tickSla(); setInterval(tickSla, 30000); lightbox(); confirmDanger();
  });
})();
