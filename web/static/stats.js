// The organizer's live view: the server pushes the round's figures as it
// reads them anew (every two seconds, less often for a large round), with
// the time they were read; this draws them, the chart as SVG made here (nothing is
// fetched from elsewhere). The chart is drawn at the size it is shown, so
// that its text keeps its size from a phone to a projector.
(function () {
  'use strict';
  var root = document.getElementById('stats');
  if (!root) { return; }
  var t = window.hoithi.text();
  var NS = 'http://www.w3.org/2000/svg';
  var figure = document.getElementById('stats-figure');
  var words = figure.dataset;
  var retries = 0;
  var last = JSON.parse(document.getElementById('stats-initial').textContent);

  // Numbers as the page's language writes them: 1.234,5 in Vietnamese,
  // 1,234.5 in English.
  var decimalMark = t('decimal');
  var thousandsMark = decimalMark === '.' ? ',' : '.';
  function number(n, digits) {
    var parts = Math.abs(n).toFixed(digits || 0).split('.');
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, thousandsMark);
    var sign = n < 0 && Number(parts.join('.')) !== 0 ? '-' : '';
    return sign + whole + (parts[1] ? decimalMark + parts[1] : '');
  }
  function fill(s, vars) {
    Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }

  var pad = window.hoithi.two;
  // clock writes a time in Vietnam: with the day for a chart over days,
  // with the seconds for one over minutes.
  function clock(ms, detail) {
    var d = window.hoithi.vietnam(ms);
    var hm = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    if (detail === 'day') { return pad(d.getUTCDate()) + '/' + pad(d.getUTCMonth() + 1) + ' ' + hm; }
    if (detail === 'second') { return hm + ':' + pad(d.getUTCSeconds()); }
    return hm;
  }
  function span(seconds) {
    if (seconds < 60) { return fill(words.sec, { n: number(seconds) }); }
    if (seconds < 3600) { return fill(words.min, { n: number(seconds / 60, seconds % 60 ? 1 : 0) }); }
    if (seconds < 86400) { return fill(words.hour, { n: number(seconds / 3600, seconds % 3600 ? 1 : 0) }); }
    return fill(words.day, { n: number(seconds / 86400, seconds % 86400 ? 1 : 0) });
  }
  // niceTop is the smallest of 1, 2, 5 × 10^k at or above n.
  function niceTop(n) {
    var step = Math.pow(10, Math.floor(Math.log10(Math.max(n, 1))));
    var m = [1, 2, 5, 10].find(function (f) { return f * step >= n; });
    return m * step;
  }

  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // chart draws the submissions in their buckets: a title on each axis, the
  // counts up the left, the times along the bottom, a tip on each bar.
  function chart(s) {
    var svg = document.getElementById('stats-chart');
    var empty = document.getElementById('stats-chart-empty');
    var counts = s.submissions || [];
    var total = counts.reduce(function (a, b) { return a + b; }, 0);
    empty.hidden = total > 0;
    svg.toggleAttribute('hidden', total === 0); // an SVG element has no hidden property
    if (total === 0) { return; }
    var box = getComputedStyle(figure);
    var W = Math.max(280, Math.round(figure.clientWidth - parseFloat(box.paddingLeft) - parseFloat(box.paddingRight)));
    var H = 240;
    var left = 52, right = 12, top = 30, bottom = 52;
    var plotW = W - left - right, plotH = H - top - bottom;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('width', W);
    svg.setAttribute('height', H);
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    var max = niceTop(Math.max.apply(null, counts));
    svg.appendChild(el('text', { x: 0, y: 14, 'class': 'axis-title' }, words.y));
    [0, max / 2, max].forEach(function (v) {
      if (v !== Math.round(v)) { return; }
      var y = top + plotH - plotH * v / max;
      svg.appendChild(el('line', { x1: left, x2: W - right, y1: y, y2: y, 'class': v === 0 ? 'axis' : 'grid' }));
      svg.appendChild(el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', 'class': 'tick' }, number(v)));
    });
    var start = Date.parse(s.bucket_start);
    var size = (s.bucket_seconds || 60) * 1000;
    var detail = counts.length * size >= 2 * 86400 * 1000 ? 'day' : size < 60 * 1000 ? 'second' : '';
    var w = plotW / counts.length;
    counts.forEach(function (n, i) {
      var h = Math.round(plotH * n / max);
      if (n > 0) { h = Math.max(h, 1); }
      var bar = el('rect', { x: (left + i * w + 1).toFixed(1), y: top + plotH - h, width: Math.max(1, w - 2).toFixed(1),
        height: h, 'class': 'bar' });
      bar.appendChild(el('title', {}, fill(words.tip, { from: clock(start + i * size, detail),
        to: clock(start + (i + 1) * size, detail), n: number(n) })));
      svg.appendChild(bar);
    });
    var labels = Math.max(2, Math.min(6, Math.floor(plotW / 90)));
    for (var k = 0; k <= labels; k++) {
      var i = Math.round(k * counts.length / labels);
      var x = left + i * w;
      svg.appendChild(el('line', { x1: x, x2: x, y1: top + plotH, y2: top + plotH + 4, 'class': 'axis' }));
      svg.appendChild(el('text', { x: x, y: top + plotH + 18, 'text-anchor': k === 0 ? 'start' : k === labels ? 'end' : 'middle',
        'class': 'tick' }, clock(start + i * size, detail)));
    }
    svg.appendChild(el('text', { x: left + plotW / 2, y: H - 6, 'text-anchor': 'middle', 'class': 'axis-title' }, words.x));
    document.getElementById('stats-chart-caption').textContent = fill(words.span, { span: span(s.bucket_seconds || 60) });
  }

  function text(id, v) { document.getElementById(id).textContent = v; }

  function show(s) {
    last = s;
    text('stat-connected', number(s.connected));
    text('stat-started', number(s.started));
    text('stat-submitted', number(s.submitted));
    text('stat-rate', number(s.answers_per_second, 1));
    text('stats-at', fill(t('stats_at'), { time: clock(Date.parse(s.at), 'second') }));
    chart(s);
    var body = document.getElementById('stats-questions');
    var frag = document.createDocumentFragment();
    s.questions.forEach(function (q) {
      var tr = document.createElement('tr');
      [q.text, number(q.answered), fill(words.percent, { n: number(q.share * 100) })].forEach(function (v, i) {
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
  var resizing = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { chart(last); }, 150);
  });
  chart(last);
  connect();
})();
