// Review screen: keyboard shortcuts, which candidate is shown beside the query, zoom/pan,
// and the keypoint lines. Everything here is an enhancement: the forms work without it.
(() => {
  "use strict";
  const reviewEl = () => document.getElementById("review");
  const shownIndex = (review) => Number(review.dataset.shown || 1);
  const NS = "http://www.w3.org/2000/svg";

  function show(review, n) {
    const cards = review.querySelectorAll(".rv-cand");
    if (!cards.length) return;
    n = Math.max(1, Math.min(cards.length, n));
    review.dataset.shown = String(n);
    cards.forEach((c) => c.classList.toggle("shown", Number(c.dataset.index) === n));
    review.querySelectorAll(".rv-gal").forEach((g) => {
      g.hidden = Number(g.dataset.index) !== n;
    });
    requestAnimationFrame(() => draw(review));
  }

  const inside = (x, y, r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;

  // Correspondences are in original pixels; the images' on-screen boxes (zoom included) scale
  // them, so the lines stay right at any window size or zoom level.
  function draw(review) {
    const svg = review.querySelector(".rv-lines");
    if (!svg) return;
    svg.replaceChildren();
    const compare = review.querySelector(".rv-compare");
    const q = review.querySelector(".rv-query img");
    if (compare.dataset.frame === "burst") return;
    drawBox(svg, q);
    if (compare.dataset.lines === "off") return;
    const gal = review.querySelector(`.rv-gal[data-index="${shownIndex(review)}"]`);
    const g = gal && gal.querySelector("img");
    if (!q || !g || !q.complete || !g.complete || !g.naturalWidth) return;
    const box = svg.getBoundingClientRect();
    const qr = q.getBoundingClientRect();
    const gr = g.getBoundingClientRect();
    const qv = q.parentElement.getBoundingClientRect();
    const gv = g.parentElement.getBoundingClientRect();
    const sq = qr.width / Number(q.dataset.w || q.naturalWidth);
    const sg = gr.width / Number(g.dataset.w || g.naturalWidth);
    let lines;
    try {
      lines = JSON.parse(gal.dataset.lines || "[]");
    } catch {
      return;
    }
    for (const [xq, yq, xg, yg, conf = 1] of lines) {
      const x1 = qr.left + xq * sq, y1 = qr.top + yq * sq;
      const x2 = gr.left + xg * sg, y2 = gr.top + yg * sg;
      if (!inside(x1, y1, qv) || !inside(x2, y2, gv)) continue;
      const line = document.createElementNS(NS, "line");
      line.setAttribute("x1", x1 - box.left);
      line.setAttribute("y1", y1 - box.top);
      line.setAttribute("x2", x2 - box.left);
      line.setAttribute("y2", y2 - box.top);
      // Confident matches green and opaque, weak ones yellow and faint.
      line.setAttribute("stroke", `hsl(${60 + 70 * conf}, 90%, 50%)`);
      line.setAttribute("stroke-opacity", String(0.35 + 0.6 * conf));
      svg.append(line);
    }
  }

  // The sighting's bounding box (relative coordinates): which animal of the frame this is.
  // While the box is being edited, the edited box and its resize handle instead.
  function drawBox(svg, img) {
    const review = svg.closest("#review");
    const edit = review && editing(review) ? review.dataset.edit : "";
    const source = edit || (img && img.dataset.bbox);
    if (!img || !source || !img.complete) return;
    const [x, y, w, h] = source.split(",").map(Number);
    const box = svg.getBoundingClientRect();
    const r = img.getBoundingClientRect();
    const rect = document.createElementNS(NS, "rect");
    rect.setAttribute("class", edit ? "rv-bbox rv-bbox-edit" : "rv-bbox");
    rect.setAttribute("x", r.left - box.left + x * r.width);
    rect.setAttribute("y", r.top - box.top + y * r.height);
    rect.setAttribute("width", w * r.width);
    rect.setAttribute("height", h * r.height);
    svg.append(rect);
    if (!edit) return;
    const handle = document.createElementNS(NS, "rect");
    handle.setAttribute("class", "rv-bbox-handle");
    handle.setAttribute("x", r.left - box.left + (x + w) * r.width - HANDLE / 2);
    handle.setAttribute("y", r.top - box.top + (y + h) * r.height - HANDLE / 2);
    handle.setAttribute("width", HANDLE);
    handle.setAttribute("height", HANDLE);
    svg.append(handle);
  }

  // Box editing. The edited box is kept relative ("x,y,w,h" in review.dataset.edit) and
  // written to the plain form's pixel fields, which are what gets posted.
  const HANDLE = 12;
  const MIN = 0.01;
  const editing = (review) => review.dataset.boxMode === "on";
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  function formBox(review) {
    const img = review.querySelector(".rv-query img");
    const f = review.querySelector(".rv-box-form");
    if (!img || !f) return null;
    const W = Number(img.dataset.w), H = Number(img.dataset.h);
    const v = (n) => Number(f.elements[n].value);
    return [v("left") / W, v("top") / H, v("width") / W, v("height") / H];
  }

  function setEdit(review, b) {
    let [x, y, w, h] = b;
    w = clamp(w, MIN, 1);
    h = clamp(h, MIN, 1);
    x = clamp(x, 0, 1 - w);
    y = clamp(y, 0, 1 - h);
    review.dataset.edit = [x, y, w, h].join(",");
    const img = review.querySelector(".rv-query img");
    const f = review.querySelector(".rv-box-form");
    if (img && f) {
      const W = Number(img.dataset.w), H = Number(img.dataset.h);
      f.elements.left.value = Math.round(x * W);
      f.elements.top.value = Math.round(y * H);
      f.elements.width.value = Math.max(1, Math.round(w * W));
      f.elements.height.value = Math.max(1, Math.round(h * H));
    }
    draw(review);
  }

  function setBoxMode(review, on) {
    if (!review.querySelector(".rv-box-form")) return;
    review.dataset.boxMode = on ? "on" : "off";
    const panel = review.querySelector("[data-box-panel]");
    if (panel) panel.open = on;
    if (on && !review.dataset.edit) setEdit(review, formBox(review));
    draw(review);
  }

  function setupBoxEditing(review) {
    const view = review.querySelector(".rv-query .zoom");
    const img = view && view.querySelector("img");
    if (!img) return;
    let drag = null;
    const at = (e) => {
      const r = img.getBoundingClientRect();
      return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height, r];
    };
    view.addEventListener("pointerdown", (e) => {
      if (!editing(review)) return;
      e.preventDefault();
      e.stopImmediatePropagation();  // no panning while a box is edited
      const [px, py, r] = at(e);
      const [x, y, w, h] = review.dataset.edit.split(",").map(Number);
      const nearCorner = Math.abs((x + w - px) * r.width) < HANDLE &&
        Math.abs((y + h - py) * r.height) < HANDLE;
      // A box over (nearly) the whole frame is drawn anew rather than moved.
      const insideBox = px > x && px < x + w && py > y && py < y + h && w * h < 0.9;
      const mode = nearCorner ? "resize" : insideBox ? "move" : "draw";
      drag = { mode, px, py, box: [x, y, w, h] };
      view.setPointerCapture(e.pointerId);
    }, true);
    view.addEventListener("pointermove", (e) => {
      if (!drag) return;
      e.stopImmediatePropagation();
      const [px, py] = at(e);
      const [x, y, w, h] = drag.box;
      const dx = px - drag.px, dy = py - drag.py;
      if (drag.mode === "move") setEdit(review, [x + dx, y + dy, w, h]);
      else if (drag.mode === "resize") setEdit(review, [x, y, w + dx, h + dy]);
      else {
        const x0 = clamp(Math.min(px, drag.px), 0, 1), y0 = clamp(Math.min(py, drag.py), 0, 1);
        const x1 = clamp(Math.max(px, drag.px), 0, 1), y1 = clamp(Math.max(py, drag.py), 0, 1);
        setEdit(review, [x0, y0, x1 - x0, y1 - y0]);
      }
    }, true);
    view.addEventListener("pointerup", (e) => {
      if (!drag) return;
      e.stopImmediatePropagation();
      drag = null;
    }, true);
    const panel = review.querySelector("[data-box-panel]");
    if (panel) {
      panel.addEventListener("toggle", () => {
        if (panel.open !== editing(review)) setBoxMode(review, panel.open);
      });
    }
    const f = review.querySelector(".rv-box-form");
    if (f) f.addEventListener("input", () => { setEdit(review, formBox(review)); });
  }

  function boxKey(review, e) {
    const [x, y, w, h] = review.dataset.edit.split(",").map(Number);
    const step = 0.005;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step],
      ArrowDown: [0, step] };
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key];
      setEdit(review, e.shiftKey ? [x, y, w + dx, h + dy] : [x + dx, y + dy, w, h]);
    } else if (e.key === "Enter") press(review, '[data-box-key="Enter"]');
    else if (e.key === "a") press(review, '[data-box-key="a"]');
    else if (e.key === "Delete" || e.key === "Backspace") press(review, '[data-box-key="Delete"]');
    else if (e.key === "Escape" || e.key === "b") setBoxMode(review, false);
    else return false;
    return true;
  }

  function setupZoom(view, review) {
    const img = view.querySelector("img");
    if (!img || view.dataset.zoomReady) return;
    view.dataset.zoomReady = "1";
    let s = 1, tx = 0, ty = 0, drag = null;
    const apply = () => {
      img.style.transform = `translate(${tx}px, ${ty}px) scale(${s})`;
      draw(review);
    };
    view.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = img.getBoundingClientRect();
      const f = e.deltaY < 0 ? 1.2 : 1 / 1.2;
      const ns = Math.min(8, Math.max(1, s * f));
      // Keep the point under the cursor where it is.
      const px = e.clientX - r.left, py = e.clientY - r.top;
      tx -= px * (ns / s - 1);
      ty -= py * (ns / s - 1);
      s = ns;
      if (s === 1) tx = ty = 0;
      apply();
    }, { passive: false });
    view.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX - tx, y: e.clientY - ty };
      view.setPointerCapture(e.pointerId);
    });
    view.addEventListener("pointermove", (e) => {
      if (!drag || s === 1) return;
      tx = e.clientX - drag.x;
      ty = e.clientY - drag.y;
      apply();
    });
    view.addEventListener("pointerup", () => { drag = null; });
    view.addEventListener("dblclick", () => { s = 1; tx = ty = 0; apply(); });
  }

  function init(root) {
    const review = root && root.id === "review" ? root : reviewEl();
    if (!review || review.dataset.ready) return;
    review.dataset.ready = "1";
    show(review, 1);
    setupBoxEditing(review);  // first: its capturing handlers stop panning while editing
    review.querySelectorAll(".zoom").forEach((v) => setupZoom(v, review));
    review.querySelectorAll(".rv-compare img").forEach((img) =>
      img.addEventListener("load", () => draw(review)));
    review.addEventListener("click", (e) => {
      const pick = e.target.closest("[data-show]");
      if (pick) show(review, Number(pick.dataset.show));
      if (e.target.closest("[data-toggle-lines]")) toggleLines(review);
      const frame = e.target.closest(".rv-burst a[data-full], .rv-track a[data-full]");
      if (frame) {
        e.preventDefault();
        showFrame(review, frame);
      }
    });
  }

  // A burst frame replaces the query image for a look; lines and box belong to the query
  // frame only, so they are hidden until the query is shown again.
  function showFrame(review, link) {
    const img = review.querySelector(".rv-query img");
    img.src = link.dataset.full;
    img.dataset.w = link.dataset.w;
    img.dataset.h = link.dataset.h;
    const isQuery = link.hasAttribute("data-query");
    review.querySelector(".rv-compare").dataset.frame = isQuery ? "" : "burst";
    review.querySelectorAll(".rv-burst a, .rv-track a").forEach((a) => a.classList.toggle("on", a === link));
    draw(review);
  }

  function toggleLines(review) {
    const compare = review.querySelector(".rv-compare");
    const on = compare.dataset.lines !== "off";
    compare.dataset.lines = on ? "off" : "on";
    const button = review.querySelector("[data-toggle-lines]");
    if (button) button.setAttribute("aria-pressed", String(!on));
    draw(review);
  }

  function press(review, selector) {
    const button = review.querySelector(selector);
    if (!button || button.disabled) return;
    // A key can beat htmx to freshly swapped content; make sure the form is wired to htmx so
    // the click never falls through to a full-page POST.
    if (window.htmx && button.form) window.htmx.process(button.form);
    button.click();
  }

  // The "another individual" search: arrows move over the results, Enter confirms the one
  // picked. Results are only picked once they answer the text now in the box (typing clears
  // the pick), so Enter never confirms an individual the expert has not seen listed.
  const foundButtons = (review) => [...review.querySelectorAll(".rv-found-item button")];

  function pick(review, index) {
    foundButtons(review).forEach((b, i) => {
      b.classList.toggle("active", i === index);
      b.closest("li").setAttribute("aria-selected", String(i === index));
      if (i === index) b.scrollIntoView({ block: "nearest" });
    });
  }

  function searchKey(review, e) {
    const buttons = foundButtons(review);
    const current = buttons.findIndex((b) => b.classList.contains("active"));
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!buttons.length) return true;
      const step = e.key === "ArrowDown" ? 1 : -1;
      pick(review, Math.max(0, Math.min(buttons.length - 1, current + step)));
      return true;
    }
    if (e.key === "Enter" && current >= 0) {
      const button = buttons[current];
      if (window.htmx) window.htmx.process(button.form);
      button.click();
      return true;
    }
    if (e.key === "Escape") {
      e.target.blur();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", (e) => {
    const input = e.target.closest && e.target.closest("[data-search]");
    const review = reviewEl();
    if (!input || !review || e.ctrlKey || e.metaKey || e.altKey) return;
    if (searchKey(review, e)) e.preventDefault();
  });
  document.addEventListener("input", (e) => {
    const review = reviewEl();
    if (review && e.target.closest && e.target.closest("[data-search]")) pick(review, -1);
  });
  document.addEventListener("htmx:afterSwap", (e) => {
    const review = reviewEl();
    if (review && e.detail.target.id === "rv-search-results") pick(review, 0);
  });

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest && e.target.closest("input, textarea, select, [contenteditable]")) return;
    const review = reviewEl();
    if (!review) return;
    // One decision at a time: keys pressed while a request is in flight are dropped (the
    // claim the screen POSTs on load runs in the background and does not count).
    if (review.querySelector(".htmx-request:not([data-background])") ||
        review.classList.contains("htmx-request")) {
      e.preventDefault();
      return;
    }
    if (editing(review)) {
      if (boxKey(review, e)) e.preventDefault();
      return;
    }
    const key = e.key;
    if (key === "b") setBoxMode(review, true);
    else if (key === "ArrowLeft") show(review, shownIndex(review) - 1);
    else if (key === "ArrowRight") show(review, shownIndex(review) + 1);
    else if (/^[1-9]$/.test(key)) press(review, `.rv-cand [data-key="${key}"]`);
    else if (key === "x") press(review, '.rv-cand.shown [data-key="x"]');
    else if (key === "n" || key === "s" || key === "u" || key === "0") {
      press(review, `[data-key="${key}"]`);
    }
    else if (key === "k") toggleLines(review);
    else if (key === "/") {
      const search = review.querySelector("[data-search]");
      if (!search) return;
      search.focus();
      search.select();
    }
    else return;
    e.preventDefault();
  });

  window.addEventListener("resize", () => { const r = reviewEl(); if (r) draw(r); });
  document.addEventListener("htmx:load", (e) => init(e.detail.elt));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => init());
  else init();
})();
