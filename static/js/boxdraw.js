// Media page: drag over the image to fill the "add an animal" form's box (pixels). The form
// works without this: its four fields can be typed.
(() => {
  "use strict";
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  document.querySelectorAll("[data-box-draw]").forEach((root) => {
    const img = root.querySelector(".frame img");
    const mark = root.querySelector(".frame-draw");
    const form = root.querySelector("#add-box form");
    if (!img || !mark || !form) return;
    let start = null;
    const at = (e) => {
      const r = img.getBoundingClientRect();
      return [clamp((e.clientX - r.left) / r.width, 0, 1), clamp((e.clientY - r.top) / r.height, 0, 1)];
    };
    img.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      start = at(e);
      img.setPointerCapture(e.pointerId);
    });
    img.addEventListener("pointermove", (e) => {
      if (!start) return;
      const [px, py] = at(e);
      const x = Math.min(px, start[0]), y = Math.min(py, start[1]);
      const w = Math.abs(px - start[0]), h = Math.abs(py - start[1]);
      Object.assign(mark.style, { left: `${x * 100}%`, top: `${y * 100}%`,
        width: `${w * 100}%`, height: `${h * 100}%` });
      mark.hidden = false;
      const W = Number(img.dataset.w), H = Number(img.dataset.h);
      form.elements.left.value = Math.round(x * W);
      form.elements.top.value = Math.round(y * H);
      form.elements.width.value = Math.max(1, Math.round(w * W));
      form.elements.height.value = Math.max(1, Math.round(h * H));
      root.querySelector("#add-box").open = true;
    });
    img.addEventListener("pointerup", () => { start = null; });
  });
})();
