// govmon 站点：表格排序、筛选、打印。No data of its own: it reads the table cells (data-v for the
// sort value) and the rows' data-f-* attributes, and only ever sets text, classes and attributes.
(() => {
  'use strict';

  function cellValue(row, col) {
    var cell = row.cells[col];
    if (!cell) return '';
    return cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent.trim();
  }

  function compare(a, b) {
    var x = a === '' ? NaN : Number(a);
    var y = b === '' ? NaN : Number(b);
    var xn = !Number.isNaN(x),
      yn = !Number.isNaN(y);
    if (xn && yn) return x - y;
    if (a === '' && b !== '') return 1; // empty last
    if (b === '' && a !== '') return -1;
    return String(a).localeCompare(String(b), 'zh-CN');
  }

  function sortable(table) {
    var heads = table.querySelectorAll('thead th[data-sort-col]');
    heads.forEach((th) => {
      var button = th.querySelector('button');
      if (!button) return;
      button.addEventListener('click', () => {
        var col = Number(th.getAttribute('data-sort-col'));
        var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        heads.forEach((h) => {
          h.setAttribute('aria-sort', 'none');
        });
        th.setAttribute('aria-sort', dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort((r1, r2) => {
          var c = compare(cellValue(r1, col), cellValue(r2, col));
          return dir === 'ascending' ? c : -c;
        });
        rows.forEach((r) => {
          body.appendChild(r);
        });
      });
    });
  }

  function matches(el, text, selects) {
    if (text && el.textContent.toLowerCase().indexOf(text) < 0) return false;
    for (var i = 0; i < selects.length; i++) {
      var want = selects[i].value;
      if (!want) continue;
      var have = el.getAttribute('data-f-' + selects[i].getAttribute('data-filter-key'));
      if (have === null) return false;
      // list-valued attributes (conditions) hold space-separated codes; others are compared whole
      if (have !== want && have.split(' ').indexOf(want) < 0) return false;
    }
    return true;
  }

  function filterable(bar) {
    var id = bar.getAttribute('data-filter-for');
    var table = document.getElementById(id);
    var input = bar.querySelector('[data-filter-text]');
    var selects = Array.prototype.slice.call(bar.querySelectorAll('select[data-filter-key]'));
    var count = bar.querySelector('[data-count]');
    var groups = document.querySelectorAll('[data-filter-group="' + id + '"]');
    function apply() {
      var text = input ? input.value.trim().toLowerCase() : '';
      var shown = 0,
        total = 0;
      if (table) {
        Array.prototype.forEach.call(table.tBodies[0].rows, (row) => {
          var ok = matches(row, text, selects);
          row.classList.toggle('filtered-out', !ok);
          total++;
          if (ok) shown++;
        });
      }
      Array.prototype.forEach.call(groups, (g) => {
        g.classList.toggle('filtered-out', !matches(g, text, selects));
      });
      if (count) count.textContent = '显示 ' + shown + ' / ' + total + ' 行';
      bar.setAttribute('data-shown', String(shown));
    }
    if (input) input.addEventListener('input', apply);
    selects.forEach((s) => {
      s.addEventListener('change', apply);
    });
    apply();
  }

  /** Sorting, filters and print buttons under `root` (the page, or a system page's body inserted by system-page.js). */
  function initTables(root) {
    root.querySelectorAll('table.data').forEach(sortable);
    root.querySelectorAll('[data-filter-for]').forEach(filterable);
    root.querySelectorAll('[data-print]').forEach((b) => {
      b.addEventListener('click', () => {
        window.print();
      });
    });
  }

  var G = (window.GOVMON = window.GOVMON || {});
  G.initTables = initTables;
  initTables(document);
})();
