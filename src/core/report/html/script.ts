/**
 * The report's only script, inlined: expand or collapse every section, open everything for print,
 * and filter a fault's log lines by process. The report reads fine without it.
 */
export const REPORT_JS = `
(function () {
  'use strict';
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function setOpen(open) { all('details').forEach(function (d) { d.open = open; }); }
  all('[data-action="expand"]').forEach(function (b) { b.addEventListener('click', function () { setOpen(true); }); });
  all('[data-action="collapse"]').forEach(function (b) { b.addEventListener('click', function () { setOpen(false); }); });

  // Printing shows everything; what was closed closes again afterwards.
  var closedBeforePrint = [];
  window.addEventListener('beforeprint', function () {
    closedBeforePrint = all('details').filter(function (d) { return !d.open; });
    closedBeforePrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    closedBeforePrint.forEach(function (d) { d.open = false; });
    closedBeforePrint = [];
  });

  all('.log-window').forEach(function (win) {
    var boxes = all('.chips input[type=checkbox]', win);
    function apply() {
      var shown = {};
      boxes.forEach(function (b) { shown[b.value] = b.checked; });
      all('tr[data-process]', win).forEach(function (row) {
        row.style.display = shown[row.getAttribute('data-process')] === false ? 'none' : '';
      });
    }
    boxes.forEach(function (b) { b.addEventListener('change', apply); });
  });
})();
`
