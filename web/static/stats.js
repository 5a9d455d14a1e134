// The organizer's live view: the server pushes the round's figures every
// two seconds; this draws them, the chart as SVG made here (nothing is
// fetched from elsewhere).
(function () {
  'use strict';
  var root = document.getElementById('stats');
  if (!root) { return; }
  var t = window.hoithi.text();
  var NS = 'http://www.w3.org/2000/svg';
  var retries = 0;

  function text(id, v) { document.getElementById(id).textContent = v; }

  function chart(counts) {
    var svg = document.getElementById('stats-chart');
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var top = Math.max.apply(null, counts.concat([1]));
    var w = 480 / counts.length;
    counts.forEach(function (n, i) {
      var h = Math.round(110 * n / top);
      var bar = document.createElementNS(NS, 'rect');
      bar.setAttribute('x', (i * w + 1).toFixed(1));
      bar.setAttribute('y', String(115 - h));
      bar.setAttribute('width', Math.max(1, w - 2).toFixed(1));
      bar.setAttribute('height', String(h));
      bar.setAttribute('class', 'bar');
      var title = document.createElementNS(NS, 'title');
      title.textContent = String(n);
      bar.appendChild(title);
      svg.appendChild(bar);
    });
  }

  function show(s) {
    text('stat-connected', s.connected);
    text('stat-started', s.started);
    text('stat-submitted', s.submitted);
    text('stat-rate', s.answers_per_second.toFixed(1));
    chart(s.submissions);
    var body = document.getElementById('stats-questions');
    var frag = document.createDocumentFragment();
    s.questions.forEach(function (q) {
      var tr = document.createElement('tr');
      [q.text, String(q.answered), Math.round(q.share * 100) + ' %'].forEach(function (v, i) {
        var td = document.createElement('td');
        td.textContent = v;
        if (i > 0) { td.className = 'num'; }
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
  }

  function connect() {
    var ws = new WebSocket(window.hoithi.socketURL(root.dataset.ws));
    var live = document.getElementById('stats-live');
    ws.onopen = function () { retries = 0; live.textContent = t('live'); };
    ws.onmessage = function (ev) {
      try { show(JSON.parse(ev.data)); } catch (e) { /* a broken frame waits for the next */ }
    };
    ws.onclose = function () {
      live.textContent = t('reconnecting');
      retries++;
      setTimeout(connect, Math.min(15000, 1000 * Math.pow(2, Math.min(retries, 4))));
    };
  }
  chart(JSON.parse(document.getElementById('stats-initial').textContent).submissions || []);
  connect();
})();
