/**
 * Optional filtering of findings by severity and text (inline; allowed by its hash in the CSP). The page
 * reads the same without it: the toolbar is hidden until this script shows it.
 */
export const FILTER_SCRIPT = `(function () {
  var bar = document.getElementById('filters');
  if (!bar) return;
  bar.hidden = false;
  var boxes = bar.querySelectorAll('input[type=checkbox]');
  var query = bar.querySelector('input[type=search]');
  function apply() {
    var on = {};
    for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) on[boxes[i].value] = true;
    var text = query.value.trim().toLowerCase();
    var rows = document.querySelectorAll('.finding');
    for (var j = 0; j < rows.length; j++) {
      var row = rows[j];
      row.hidden = !(on[row.getAttribute('data-severity')] && (!text || row.textContent.toLowerCase().indexOf(text) >= 0));
    }
    var groups = document.querySelectorAll('.rule, .sev-group');
    for (var k = 0; k < groups.length; k++) groups[k].hidden = !groups[k].querySelector('.finding:not([hidden])');
  }
  bar.addEventListener('input', apply);
  bar.addEventListener('change', apply);
})();`;
