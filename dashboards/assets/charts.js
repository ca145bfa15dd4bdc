// govmon 站点：交互图表。Each <script type="application/json" data-vega="ID"> holds a Vega-Lite
// spec for the element #ID; data-arrow names Arrow tables (GOVMON.arrow[name], base64 IPC from
// data/<name>.js) decoded here with apache-arrow and handed to the spec as named datasets.
// vega-embed runs with the expression interpreter (ast: true), so no code is generated at run time
// and the page's content-security policy needs no 'unsafe-eval'.
(() => {
  'use strict';
  var G = window.GOVMON || {};
  var decoded = {};

  function arrowRows(name) {
    if (decoded[name]) return decoded[name];
    var b64 = G.arrow?.[name];
    if (!b64) throw new Error('缺少数据表 ' + name);
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var table = window.Arrow.tableFromIPC(bytes);
    var rows = table.toArray().map((r) => {
      var o = r.toJSON();
      for (var k in o) if (typeof o[k] === 'bigint') o[k] = Number(o[k]);
      return o;
    });
    decoded[name] = rows;
    return rows;
  }

  var options = {
    mode: 'vega-lite',
    renderer: 'svg',
    ast: true,
    actions: { export: true, source: false, compiled: false, editor: false },
    i18n: {
      PNG_ACTION: '下载 PNG',
      SVG_ACTION: '下载 SVG',
      CLICK_TO_VIEW_ACTIONS: '图表操作',
      COMPILED_ACTION: '查看 Vega',
      EDITOR_ACTION: '在编辑器中打开',
      SOURCE_ACTION: '查看源代码',
    },
    tooltip: { theme: 'light' },
    formatLocale: {
      decimal: '.',
      thousands: ',',
      grouping: [3],
      currency: ['¥', ''],
    },
  };

  /** Draw every chart under `root` (the page, or a system page's body inserted by system-page.js). */
  function initCharts(root) {
    root.querySelectorAll('script[type="application/json"][data-vega]').forEach(drawChart);
  }

  function drawChart(el) {
    var target = document.getElementById(el.getAttribute('data-vega'));
    if (!target || target.getAttribute('data-rendered')) return;
    try {
      var spec = JSON.parse(el.textContent);
      var names = (el.getAttribute('data-arrow') || '').split(' ').filter(Boolean);
      if (names.length) {
        spec.datasets = spec.datasets || {};
        names.forEach((n) => {
          spec.datasets[n] = arrowRows(n);
        });
      }
      window
        .vegaEmbed(target, spec, options)
        .then(() => {
          target.setAttribute('data-rendered', 'true');
        })
        .catch((err) => {
          target.textContent = '图表加载失败：' + err.message;
          console.error(err);
        });
    } catch (err) {
      target.textContent = '图表加载失败：' + err.message;
      console.error(err);
    }
  }

  window.GOVMON = G;
  G.initCharts = initCharts;
  initCharts(document);
})();
