// The HTML report's only script. It holds no data: it reads the page's data-* attributes.
(function () {
  'use strict';
  var hiddenCodes = {};
  var query = '';
  var target = '';
  function visible(el) {
    if (hiddenCodes[el.getAttribute('data-code')]) return false;
    if (target && el.getAttribute('data-target') !== target) return false;
    if (query && (el.getAttribute('data-search') || '').indexOf(query) < 0) return false;
    return true;
  }
  function apply() {
    var shown = 0;
    var els = document.querySelectorAll('[data-filter]');
    for (var i = 0; i < els.length; i++) {
      var ok = visible(els[i]);
      els[i].hidden = !ok;
      if (ok && els[i].tagName === 'TR') shown++;
    }
    var groups = document.querySelectorAll('details.group');
    for (var g = 0; g < groups.length; g++) {
      groups[g].hidden = !groups[g].querySelector('details.case:not([hidden])');
    }
    var segs = document.querySelectorAll('rect.seg');
    for (var s = 0; s < segs.length; s++) {
      segs[s].classList.toggle('dim', !!hiddenCodes[segs[s].getAttribute('data-code')]);
    }
    var buttons = document.querySelectorAll('.legend button[data-code]');
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].setAttribute('aria-pressed', hiddenCodes[buttons[b].getAttribute('data-code')] ? 'false' : 'true');
    }
    var counter = document.getElementById('shown-count');
    if (counter) counter.textContent = String(shown);
  }
  document.addEventListener('click', function (ev) {
    var el = ev.target;
    var button = el && el.closest ? el.closest('.legend button[data-code]') : null;
    if (button) {
      var code = button.getAttribute('data-code');
      hiddenCodes[code] = !hiddenCodes[code];
      apply();
      return;
    }
    var action = el && el.closest ? el.closest('[data-action]') : null;
    if (action) {
      var open = action.getAttribute('data-action') === 'expand';
      var details = document.querySelectorAll('details.group');
      for (var i = 0; i < details.length; i++) details[i].open = open;
    }
  });
  var search = document.getElementById('search');
  if (search)
    search.addEventListener('input', function () {
      query = search.value.trim().toLowerCase();
      apply();
    });
  var select = document.getElementById('target');
  if (select)
    select.addEventListener('change', function () {
      target = select.value;
      apply();
    });
  function openHash() {
    if (!location.hash) return;
    var el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    while (el) {
      if (el.tagName === 'DETAILS') el.open = true;
      el = el.parentElement;
    }
  }
  window.addEventListener('hashchange', openHash);
  openHash();
  apply();
})();
