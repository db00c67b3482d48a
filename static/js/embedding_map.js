// The embedding map's hover: the dot's image follows the pointer (the <title> names it).
(function () {
  const thumb = document.getElementById("embedding-thumb");
  if (!thumb) return;
  const toggle = document.getElementById("show-pending");
  toggle?.addEventListener("change", () => {
    document.querySelector(".embedding-maps").classList.toggle("hide-pending", !toggle.checked);
  });
  document.querySelectorAll(".embedding-map circle[data-thumb]").forEach((dot) => {
    dot.addEventListener("mouseenter", () => {
      thumb.src = dot.dataset.thumb;
      thumb.hidden = false;
    });
    dot.addEventListener("mousemove", (event) => {
      thumb.style.left = `${event.pageX + 12}px`;
      thumb.style.top = `${event.pageY + 12}px`;
    });
    dot.addEventListener("mouseleave", () => {
      thumb.hidden = true;
    });
  });
})();
