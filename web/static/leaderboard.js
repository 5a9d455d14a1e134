// The live leaderboard: the server pushes the ranking over a websocket
// whenever it changes (a few times a second at most).
(function () {
  'use strict';
  var root = document.getElementById('board');
  if (!root) { return; }
  var t = window.hoithi.text();
  var rows = document.getElementById('board-rows');
  var retries = 0;

  function duration(ms) {
    var m = Math.floor(ms / 60000);
    var s = ((ms % 60000) / 1000).toFixed(3).replace('.', t('decimal'));
    return m > 0 ? t('dur_min_sec', { m: number(m), s: s }) : t('dur_sec', { s: s });
  }

  // number writes a whole number as the page's language does: 1.234 in
  // Vietnamese, 1,234 in English.
  function number(n) {
    var sep = t('decimal') === '.' ? ',' : '.';
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }

  // The column headings label the numbers when a narrow screen lays each
  // row out as a card.
  var labels = Array.prototype.map.call(root.querySelectorAll('thead th'), function (th) { return th.textContent; });

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) {
      td.className = cls;
      td.setAttribute('data-label', labels[tr.cells.length] || '');
    }
    tr.appendChild(td);
  }

  // While a round that asks a prediction is open the server sends no total
  // (null): the page says the full ranking comes at the close instead.
  function show(msg) {
    var guarded = msg.total === null;
    document.getElementById('board-count').hidden = guarded;
    document.getElementById('board-guarded').hidden = !guarded;
    document.getElementById('board-total').textContent = guarded ? '' : number(msg.total);
    var frag = document.createDocumentFragment();
    msg.entries.forEach(function (e) {
      var tr = document.createElement('tr');
      cell(tr, number(e.rank));
      cell(tr, e.name);
      cell(tr, e.unit);
      cell(tr, number(e.score), 'num');
      cell(tr, number(e.correct), 'num');
      cell(tr, duration(e.duration_ms), 'num');
      frag.appendChild(tr);
    });
    if (!msg.entries.length) {
      var tr = document.createElement('tr');
      tr.className = 'empty';
      var td = document.createElement('td');
      td.colSpan = 6;
      td.textContent = t('board_empty');
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    rows.replaceChildren(frag);
  }

  function showMe(me) {
    var el = document.getElementById('board-me');
    el.textContent = me.rank === null ?
      t('board_me_hidden', { score: me.score, top: root.dataset.top }) :
      t('board_me', { rank: me.rank, score: me.score });
    el.hidden = false;
  }

  function connect() {
    var ws = new WebSocket(window.hoithi.socketURL(root.dataset.ws));
    var live = document.getElementById('board-live');
    ws.onopen = function () { retries = 0; live.textContent = t('live'); };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === 'leaderboard') { show(msg); }
      if (msg.type === 'me' && msg.me) { showMe(msg.me); }
    };
    ws.onclose = function () {
      live.textContent = t('reconnecting');
      retries++;
      setTimeout(connect, Math.min(15000, 1000 * Math.pow(2, Math.min(retries, 4))));
    };
  }
  connect();
})();
