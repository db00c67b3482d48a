// Queue list: the header checkbox ticks every row of the page for the bulk actions.
(() => {
  "use strict";
  document.addEventListener("change", (e) => {
    if (!e.target.matches("[data-tick-all]")) return;
    document.querySelectorAll('input[form="bulk"][name="sighting"]').forEach((box) => {
      box.checked = e.target.checked;
    });
  });
})();
