// The projector view of a live game: the lobby with the PIN and the
// players arriving, each question with its countdown and the count of
// answers, the reveal with the right option and a chart of the choices,
// the top ten between questions and the podium at the end, with the
// host's controls. Nicknames are shown as text, never as markup.
(function () {
  'use strict';
  var root = document.getElementById('live-host');
  if (!root) { return; }
  var t = hoithi.text();
  var live = hoithiLive;
  var $ = function (id) { return document.getElementById(id); };

  var count = Number(root.dataset.count) || 0;
  var phase = root.dataset.phase;
  var index = -1;
  var question = null;     // the last question shown, with its options
  var players = new Map(); // player id → {nickname, connected}, in join order
  var total = 0, connected = 0;
  var stopTimer = null;
  var skippedJust = -1;    // the question just skipped, said on the next one
  var shownLimit = 300;    // nicknames shown in the lobby; a hall may hold thousands

  var views = ['lobby', 'question', 'reveal', 'skipped', 'board', 'ended'];
  function show(name) {
    views.forEach(function (v) { $('view-' + v).hidden = v !== name; });
    if (name !== 'question' && stopTimer) { stopTimer(); stopTimer = null; }
  }
  function announce(s) { live.text($('announcer'), s); }
  function status(s) { live.text($('conn'), s); }

  // --- players -----------------------------------------------------------

  function counts(m) {
    if (m.players != null) { total = m.players; }
    if (m.connected != null) { connected = m.connected; }
    live.text($('host-count'), t('players_count', { n: live.num(total) }));
    live.text($('lobby-count'), t('lobby_count', { n: live.num(total) }));
    live.text($('manage-title'), t('manage', { n: live.num(total) }));
  }

  function kickButton(id, p, cls) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = cls;
    b.textContent = cls === 'live-chip-kick' ? '×' : t('kick');
    b.setAttribute('aria-label', t('kick_who', { nickname: p.nickname }));
    b.addEventListener('click', function () {
      if (window.confirm(t('kick_confirm', { nickname: p.nickname }))) {
        conn.send({ type: 'kick', player_id: id });
      }
    });
    return b;
  }

  function renderPlayers() {
    var chips = $('lobby-players'), list = $('manage-list');
    chips.textContent = '';
    list.textContent = '';
    var all = Array.from(players.entries());
    // The newest arrivals first in the lobby: the room looks for its own.
    all.slice(-shownLimit).reverse().forEach(function (e) {
      var id = e[0], p = e[1];
      var li = document.createElement('li');
      li.className = 'live-chip' + (p.connected ? '' : ' is-away');
      var name = document.createElement('span');
      name.className = 'live-nick';
      name.textContent = p.nickname;
      li.appendChild(name);
      li.appendChild(kickButton(id, p, 'live-chip-kick'));
      chips.appendChild(li);
    });
    live.text($('lobby-more'), all.length > shownLimit ? t('more_players', { n: live.num(all.length - shownLimit) }) : '');
    all.forEach(function (e) {
      var id = e[0], p = e[1];
      var li = document.createElement('li');
      var name = document.createElement('span');
      name.className = 'live-nick';
      name.textContent = p.nickname;
      var state = document.createElement('span');
      state.className = 'muted';
      state.textContent = p.connected ? '' : ' · ' + t('away');
      li.appendChild(name);
      li.appendChild(state);
      li.appendChild(kickButton(id, p, 'live-kick'));
      list.appendChild(li);
    });
  }

  var renderSoon = null;
  function playersChanged() {
    // A hall joins within seconds: the list is drawn at most every 200 ms.
    if (renderSoon) { return; }
    renderSoon = setTimeout(function () { renderSoon = null; renderPlayers(); }, 200);
  }

  function onLobby(m) {
    players = new Map();
    m.players.forEach(function (p) { players.set(p.player_id, { nickname: p.nickname, connected: p.connected }); });
    count = m.question_count;
    $('c-auto').checked = m.auto_advance;
    phase = m.phase;
    index = m.index;
    counts({ players: m.players.length, connected: m.connected });
    renderPlayers();
    if (phase === 'lobby') { show('lobby'); }
    controls();
  }

  function onPlayerJoined(m) {
    players.set(m.player_id, { nickname: m.nickname, connected: true });
    counts(m);
    playersChanged();
    if (phase === 'lobby' && !m.rejoined) { announce(t('arrived', { nickname: m.nickname })); }
  }
  function onPlayerLeft(m) {
    var p = players.get(m.player_id);
    if (p) { p.connected = false; }
    counts(m);
    playersChanged();
  }
  function onPlayerKicked(m) {
    players.delete(m.player_id);
    counts(m);
    playersChanged();
  }

  // --- the game ------------------------------------------------------------

  function optionList(box, options) {
    box.textContent = '';
    options.forEach(function (o, i) {
      var li = document.createElement('li');
      li.className = 'live-option ' + live.colour(i);
      li.appendChild(live.mark(i));
      var s = live.quizText(document.createElement('span'), o.text);
      s.className = 'live-option-text';
      li.appendChild(s);
      box.appendChild(li);
    });
  }

  function onQuestion(m) {
    phase = 'question';
    index = m.index;
    question = m;
    count = m.count || count;
    live.text($('hq-num'), t('question_n', { n: m.index + 1, count: count }));
    live.text($('host-progress'), t('question_n', { n: m.index + 1, count: count }));
    live.quizText($('hq-text'), m.text);
    var note = skippedJust >= 0 && skippedJust === m.index - 1 ? t('skipped_host', { n: skippedJust + 1 }) : '';
    skippedJust = -1;
    live.text($('hq-skipped'), note);
    $('hq-skipped').hidden = !note;
    live.text($('hq-hint'), m.multiple ? t('multiple_hint') : '');
    optionList($('hq-options'), m.options);
    live.text($('hq-answered'), t('answered', { n: 0, of: live.num(connected) }));
    show('question');
    if (stopTimer) { stopTimer(); }
    stopTimer = live.countdown($('hq-timer'), m.remaining_ms);
    controls();
    announce(t('question_n', { n: m.index + 1, count: count }));
  }

  function onAnswers(m) {
    if (m.index !== index) { return; }
    counts(m);
    live.text($('hq-answered'), t('answered', { n: live.num(m.answered), of: live.num(m.connected) }));
  }

  function onReveal(m) {
    phase = 'reveal';
    index = m.index;
    var q = question && question.index === m.index ? question : null;
    live.text($('hr-num'), t('question_n', { n: m.index + 1, count: count }));
    live.quizText($('hr-text'), q ? q.text : '');
    live.text($('hr-caption'), t('chart_caption', { n: live.num(m.answered) }));
    var bars = $('hr-bars');
    bars.textContent = '';
    var most = 1;
    m.options.forEach(function (o) { most = Math.max(most, o.count); });
    m.options.forEach(function (o, i) {
      var li = document.createElement('li');
      li.className = 'live-bar-row ' + (o.correct ? 'is-right' : 'is-other');
      var label = document.createElement('span');
      label.className = 'live-bar-label';
      label.appendChild(live.mark(i));
      var text = live.quizText(document.createElement('span'), q && q.options[i] && q.options[i].id === o.id ? q.options[i].text : '');
      text.className = 'live-bar-text';
      label.appendChild(text);
      if (o.correct) {
        var right = document.createElement('strong');
        right.className = 'live-right-tag';
        right.textContent = '✓ ' + t('right_option');
        label.appendChild(right);
      }
      var track = document.createElement('span');
      track.className = 'live-bar-track';
      var bar = document.createElement('span');
      bar.className = 'live-bar ' + live.colour(i);
      bar.style.width = (100 * o.count / most) + '%';
      track.appendChild(bar);
      var n = document.createElement('span');
      n.className = 'live-bar-count';
      n.textContent = t('chose', { n: live.num(o.count) });
      li.appendChild(label);
      li.appendChild(track);
      li.appendChild(n);
      bars.appendChild(li);
    });
    live.text($('hr-summary'), t('right_count', { n: live.num(m.correct_count), of: live.num(m.answered) }));
    show('reveal');
    controls();
    announce(t('revealed'));
  }

  function onSkipped(m) {
    skippedJust = m.index;
    live.text($('hs-title'), t('skipped', { n: m.index + 1 }));
    show('skipped');
  }

  function rows(body, entries) {
    body.textContent = '';
    entries.forEach(function (e) {
      var tr = document.createElement('tr');
      [String(e.rank), e.nickname, live.num(e.points), String(e.correct)].forEach(function (v, i) {
        var td = document.createElement('td');
        td.textContent = v;
        if (i === 1) { td.className = 'live-nick'; }
        if (i >= 2) { td.className = 'num'; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function onBoard(m) {
    phase = 'leaderboard';
    index = m.index;
    live.text($('hb-title'), t('board_after', { n: m.index + 1 }));
    rows($('hb-rows'), m.entries);
    show('board');
    controls();
  }

  function onEnded(m) {
    phase = 'ended';
    var podium = $('podium');
    podium.textContent = '';
    // In rank order; the style puts the winner in the middle, highest.
    [0, 1, 2].forEach(function (i) {
      var e = m.entries[i];
      if (!e) { return; }
      var li = document.createElement('li');
      li.className = 'live-step live-step-' + (i + 1);
      li.value = e.rank;
      var name = document.createElement('span');
      name.className = 'live-nick live-step-name';
      name.textContent = e.nickname;
      var pts = document.createElement('span');
      pts.className = 'live-step-points';
      pts.textContent = t('points_correct', { n: live.num(e.points), correct: e.correct });
      var block = document.createElement('span');
      block.className = 'live-step-block';
      block.textContent = t('place', { rank: e.rank });
      li.appendChild(name);
      li.appendChild(pts);
      li.appendChild(block);
      podium.appendChild(li);
    });
    var rest = m.entries.slice(3, 10);
    rows($('he-rows'), rest);
    $('he-rest-wrap').hidden = rest.length === 0;
    live.text($('he-more'), m.entries.length > 10 ? t('more_players', { n: live.num(m.entries.length - 10) }) : '');
    if (!m.entries.length) { live.text($('he-more'), t('nobody')); }
    show('ended');
    controls();
    announce(t('ended'));
  }

  function onAuto(m) { $('c-auto').checked = m.on; }

  // --- controls ------------------------------------------------------------

  function controls() {
    var ended = phase === 'ended';
    $('c-start').hidden = phase !== 'lobby';
    $('c-skip').hidden = phase !== 'question';
    $('c-end').hidden = ended;
    $('c-auto-box').hidden = ended;
    var next = $('c-next');
    next.hidden = phase === 'lobby' || ended;
    if (phase === 'question') { next.textContent = t('next_reveal'); }
    if (phase === 'reveal' || phase === 'skipped') { next.textContent = t('next_board'); }
    if (phase === 'leaderboard') { next.textContent = index + 1 >= count ? t('next_end') : t('next_question'); }
    $('manage').hidden = ended;
  }

  function command(m) {
    live.text($('host-error'), '');
    if (!conn.send(m)) { live.text($('host-error'), t('not_sent')); }
  }
  $('c-start').addEventListener('click', function () { command({ type: 'start' }); });
  $('c-next').addEventListener('click', function () { command({ type: 'next' }); });
  $('c-skip').addEventListener('click', function () { command({ type: 'skip' }); });
  $('c-end').addEventListener('click', function () {
    if (window.confirm(t('end_confirm'))) { command({ type: 'end' }); }
  });
  $('c-auto').addEventListener('change', function () { command({ type: 'auto_advance', on: $('c-auto').checked }); });
  $('c-full').addEventListener('click', function () {
    if (document.fullscreenElement) { document.exitFullscreen(); } else if (root.requestFullscreen) { root.requestFullscreen(); }
  });
  // A presenter's clicker sends the arrow or page keys: they take the
  // next step, as the highlighted button does.
  document.addEventListener('keydown', function (ev) {
    if (ev.target && /^(INPUT|BUTTON|A|SELECT|TEXTAREA|SUMMARY)$/.test(ev.target.tagName)) { return; }
    if (ev.key !== 'PageDown' && ev.key !== 'ArrowRight') { return; }
    var b = !$('c-start').hidden ? $('c-start') : !$('c-next').hidden ? $('c-next') : null;
    if (b) { ev.preventDefault(); b.click(); }
  });

  // --- the socket --------------------------------------------------------

  var handlers = {
    lobby: onLobby, player_joined: onPlayerJoined, player_left: onPlayerLeft, player_kicked: onPlayerKicked,
    question: onQuestion, answers: onAnswers, reveal: onReveal, skipped: onSkipped, leaderboard: onBoard,
    ended: onEnded, auto_advance: onAuto,
    error: function (m) { live.text($('host-error'), m.message); }
  };

  counts({ players: 0, connected: 0 });
  var final = document.getElementById('final');
  var conn;
  if (final) {
    // An ended game's standings come from the store with the page.
    onEnded(JSON.parse(final.textContent));
    conn = { send: function () { return false; } };
  } else {
    show(phase === 'lobby' ? 'lobby' : '');
    controls();
    conn = live.socket(root.dataset.ws, {
      open: function () { status(''); },
      message: function (m) {
        var f = handlers[m.type];
        if (f) { f(m); }
      },
      close: function () {
        if (phase === 'ended') { return false; }
        status(t('reconnecting'));
        return true;
      }
    });
  }
})();
