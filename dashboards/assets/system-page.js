// govmon 站点：系统页模板。In a large site (docs/outputs.md §7.3) the systems on no list share one
// page file: every systems/<id>.html of such a system is the same template (hard links of one
// file). This script reads the system's id from the file's own name, loads the shard that holds
// its page (data/systems/<first characters of the id>.js, a classic script, so the site still
// opens from disk), and puts the page in place: the same markup the build renders for any system
// page (escaped there); the shard's pages are gzip-compressed together and base64-encoded. Then
// the charts and tables under it are set up as on any page. No network: the shard is a file of
// the site.
(() => {
  'use strict';
  var G = (window.GOVMON = window.GOVMON || {});
  var shell = document.getElementById('system-shell');
  if (!shell) return;

  function fail(message) {
    var p = document.createElement('p');
    p.className = 'notice';
    p.setAttribute('role', 'alert');
    p.textContent = message;
    shell.replaceChildren(p);
    shell.setAttribute('data-failed', 'true');
  }

  function gunzip(b64) {
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text();
  }

  var file = decodeURIComponent(location.pathname.split('/').pop() || '');
  var id = file.replace(/\.html$/, '');
  if (!/^[0-9a-f]{16}$/.test(id)) {
    fail('无法从网页地址识别系统（' + file + '）：请从“系统”列表进入。');
    return;
  }
  if (typeof DecompressionStream !== 'function') {
    fail('浏览器版本过旧，无法显示本页：请使用较新版本的浏览器，或在“系统”列表及导出的 XLSX 中查看本系统。');
    return;
  }

  G.systemPages = (packed) => {
    gunzip(packed)
      .then((text) => {
        var pages = JSON.parse(text);
        var entry = Object.hasOwn(pages, id) ? pages[id] : null;
        if (!entry) {
          fail('本站点中没有该系统的页面（可能已不在监测范围内或已标记为涉密）。');
          return;
        }
        var box = document.createElement('div');
        box.innerHTML = entry.markup;
        shell.replaceWith.apply(shell, Array.prototype.slice.call(box.childNodes));
        document.title = entry.title;
        var main = document.getElementById('main');
        if (G.initTables) G.initTables(main);
        if (G.initCharts) G.initCharts(main);
        main.setAttribute('data-system-loaded', 'true');
      })
      .catch((err) => {
        fail('本页数据无法读取：' + err.message);
      });
  };

  var script = document.createElement('script');
  script.src = '../data/systems/' + id.slice(0, Number(shell.getAttribute('data-shard') || '2')) + '.js';
  script.onerror = () => {
    fail('缺少本页数据文件 ' + script.getAttribute('src') + '：站点可能不完整，请重新生成。');
  };
  document.body.appendChild(script);
})();
