// The phone's view of a live game: join with a nickname, answer each
// question with big buttons, see right or wrong with the points, the
// leaderboard and at the end one's own standing. The rejoin token is kept
// in this tab's sessionStorage, by game: a reload or a dropped connection
// rejoins the same player with the same points.
(function () {
  'use strict';
  var root = document.getElementById('live');
  if (!root) { return; }
  var t = hoithi.text();
  var live = hoithiLive;
  var $ = function (id) { return document.getElementById(id); };

  var gameID = root.dataset.game;
  var count = Number(root.dataset.count) || 0;
  var key = 'hoithi.live.' + gameID;
  var pendingNickname = root.dataset.nickname || '';

  var me = load(key) || null;   // {token, nickname, player_id}
  var joined = false;
  var question = null;          // the question shown
  var answered = {};            // question index → option ids sent or acknowledged
  var acked = {};               // question index → true once stored
  var chosen = [];              // a multiple-answer question's choice
  var reveal = null;            // the last reveal
  var lastResult = null;
  var stopTimer = null;
  var over = false;             // kicked, replaced or ended: no reconnecting
  var skippedJust = -1;         // the question the host has just skipped

  // The questions the right answers are counted over: those shown so far
  // less those the host skipped, which earn nothing. Kept by game in this
  // tab, so that a reload counts the same.
  var progressKey = key + '.progress';
  var progress = load(progressKey) || { last: -1, skipped: [] };
  function reached(index) {
    if (index > progress.last) { progress.last = index; save(progressKey, progress); }
  }
  function skippedOne(index) {
    if (progress.skipped.indexOf(index) < 0) { progress.skipped.push(index); }
    reached(index);
    save(progressKey, progress);
  }
  function counted(upTo) {
    if (upTo < 0) { return count; } // nothing known: the game's questions
    var n = 0;
    for (var i = 0; i <= upTo; i++) {
      if (progress.skipped.indexOf(i) < 0) { n++; }
    }
    return n;
  }

  function load(k) {
    try { return JSON.parse(sessionStorage.getItem(k) || 'null'); } catch (e) { return null; }
  }
  function save(k, v) {
    try { sessionStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* private mode: no rejoin after a reload */ }
  }
  function forget(k) {
    try { sessionStorage.removeItem(k); } catch (e) { /* nothing kept */ }
  }

  var views = ['connecting', 'join', 'lobby', 'question', 'wait', 'result', 'skipped', 'board', 'final', 'kicked', 'gone'];
  var shown = 'connecting';
  function show(name) {
    views.forEach(function (v) { $('view-' + v).hidden = v !== name; });
    if (name !== 'question' && stopTimer) { stopTimer(); stopTimer = null; }
    if (name !== shown) { window.scrollTo(0, 0); }
    shown = name;
  }
  // announce has a screen reader say s, then the quiz's own text, if any,
  // in Vietnamese.
  function announce(s, quizText) {
    var el = $('announcer');
    live.text(el, s);
    if (quizText) {
      el.appendChild(document.createTextNode(' '));
      el.appendChild(live.quizText(document.createElement('span'), quizText));
    }
  }
  function rankOf(rank, players) { return t('rank_of', { rank: live.num(rank), players: live.num(players) }); }
  function status(s) { live.text($('conn'), s); }

  function showMe(points) {
    if (!me) { return; }
    $('me').hidden = false;
    live.text($('me-name'), me.nickname);
    if (points != null) { live.text($('me-points'), t('points', { n: live.num(points) })); }
  }

  // --- joining -----------------------------------------------------------

  function askNickname(error) {
    show('join');
    var input = $('join-nickname');
    if (!input.value && (pendingNickname || (me && me.nickname))) { input.value = pendingNickname || me.nickname; }
    live.text($('join-error'), error || '');
    $('join-field').classList.toggle('invalid', !!error);
    if (error) { input.setAttribute('aria-invalid', 'true'); } else { input.removeAttribute('aria-invalid'); }
    input.focus();
  }

  $('view-join').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var nickname = $('join-nickname').value.trim();
    if (!nickname) { askNickname(t('nickname_required')); return; }
    pendingNickname = nickname;
    if (!conn.send({ type: 'join', nickname: nickname })) { status(t('reconnecting')); }
  });

  function onOpen(send) {
    status('');
    if (me && me.token) {
      send({ type: 'rejoin', token: me.token });
    } else if (pendingNickname) {
      send({ type: 'join', nickname: pendingNickname });
    } else {
      askNickname('');
    }
  }

  function onJoined(m) {
    joined = true;
    me = { token: m.token, nickname: m.nickname, player_id: m.player_id };
    save(key, me);
    pendingNickname = '';
    if (history.replaceState && location.search.indexOf('nickname=') >= 0) {
      history.replaceState(null, '', root.dataset.path);
    }
    showMe(m.points);
    if (m.phase === 'lobby') {
      show('lobby');
      announce(t('joined', { nickname: m.nickname }));
    }
  }

  // --- a question ----------------------------------------------------------

  function onQuestion(m) {
    var fresh = !question || question.index !== m.index;
    question = m;
    reveal = null;
    reached(m.index);
    if (fresh) { chosen = []; }
    // Right after a skip the phone says so on the next question: the skip
    // itself shows for no time at all.
    var note = skippedJust >= 0 && skippedJust === m.index - 1 ? t('skipped_note', { n: skippedJust + 1 }) : '';
    skippedJust = -1;
    live.text($('q-skipped'), note);
    $('q-skipped').hidden = !note;
    if (acked[m.index]) { showWaiting(); return; }
    live.text($('q-num'), t('question_n', { n: m.index + 1, count: m.count || count }));
    live.quizText($('q-text'), m.text);
    live.text($('q-hint'), m.multiple ? t('multiple_hint') : '');
    live.text($('q-status'), '');
    var box = $('q-options');
    box.textContent = '';
    m.options.forEach(function (o, i) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'live-answer ' + live.colour(i);
      b.dataset.optionId = String(o.id);
      b.appendChild(live.mark(i));
      var label = live.quizText(document.createElement('span'), o.text);
      label.className = 'live-answer-text';
      b.appendChild(label);
      if (m.multiple) {
        b.setAttribute('aria-pressed', chosen.indexOf(o.id) >= 0 ? 'true' : 'false');
      }
      b.addEventListener('click', function () { choose(o.id, b); });
      box.appendChild(b);
    });
    $('q-send').hidden = !m.multiple;
    setAnswering(!answered[m.index]);
    show('question');
    if (stopTimer) { stopTimer(); }
    stopTimer = live.countdown($('q-timer'), m.remaining_ms, function () {
      if (!answered[m.index]) {
        setAnswering(false);
        live.text($('q-status'), t('time_up'));
      }
    });
    if (fresh) { announce((note ? note + ' ' : '') + t('question_n', { n: m.index + 1, count: m.count || count }) + '.', m.text); }
  }

  function setAnswering(on) {
    Array.prototype.forEach.call($('q-options').querySelectorAll('button'), function (b) { b.disabled = !on; });
    $('q-send').disabled = !on;
  }

  function choose(id, button) {
    if (!question || answered[question.index]) { return; }
    if (question.multiple) {
      var at = chosen.indexOf(id);
      if (at >= 0) { chosen.splice(at, 1); } else { chosen.push(id); }
      button.setAttribute('aria-pressed', at >= 0 ? 'false' : 'true');
      live.text($('q-status'), '');
      return;
    }
    send([id]);
  }

  $('q-send').addEventListener('click', function () {
    if (!chosen.length) { live.text($('q-status'), t('choose_one')); return; }
    send(chosen.slice());
  });

  function send(ids) {
    var index = question.index;
    if (!conn.send({ type: 'answer', question_index: index, option_ids: ids })) {
      live.text($('q-status'), t('not_sent'));
      return;
    }
    answered[index] = ids;
    setAnswering(false);
    live.text($('q-status'), t('sending'));
  }

  function choiceText(ids) {
    if (!question || !ids) { return ''; }
    return question.options.map(function (o, i) {
      return ids.indexOf(o.id) >= 0 ? live.letter(i) : null;
    }).filter(Boolean).join(', ');
  }

  function showWaiting() {
    var ids = answered[question.index];
    live.text($('wait-choice'), ids ? t('your_choice', { letters: choiceText(ids) }) : '');
    show('wait');
  }

  function onAck(m) {
    acked[m.question_index] = true;
    if (!answered[m.question_index]) { answered[m.question_index] = []; }
    if (question && question.index === m.question_index) {
      showWaiting();
      announce(t('sent'));
    }
  }

  // --- the reveal and the result -------------------------------------------

  function onReveal(m) {
    reveal = m;
    reached(m.index);
    var list = $('r-right');
    list.textContent = '';
    if (question && question.index === m.index) {
      question.options.forEach(function (o, i) {
        if (m.correct_option_ids.indexOf(o.id) < 0) { return; }
        var li = document.createElement('li');
        li.className = 'live-right-item ' + live.colour(i);
        li.appendChild(live.mark(i));
        li.appendChild(live.quizText(document.createElement('span'), o.text));
        list.appendChild(li);
      });
    }
    // The result follows at once for a player who played the question; a
    // player who joined during it sees the right options only.
    live.text($('r-verdict'), t('reveal_title'));
    live.text($('r-points'), '');
    live.text($('r-choice'), '');
    $('r-facts').hidden = true;
    $('view-result').className = 'live-view';
    show('result');
  }

  function onResult(m) {
    lastResult = m;
    reached(m.index);
    var verdict = !m.answered ? t('no_answer') : m.correct ? t('right') : t('wrong');
    live.text($('r-verdict'), verdict);
    $('view-result').className = 'live-view ' + (!m.answered ? 'is-none' : m.correct ? 'is-right' : 'is-wrong');
    live.text($('r-points'), m.correct ? t('gain', { n: live.num(m.points) }) : t('gain_none'));
    var mine = question && question.index === m.index ? answered[m.index] : null;
    live.text($('r-choice'), mine && mine.length ? t('your_choice', { letters: choiceText(mine) }) : '');
    live.text($('r-total'), t('points', { n: live.num(m.total_points) }));
    live.text($('r-correct'), t('correct_of', { n: live.num(m.correct_answers), count: live.num(counted(m.index)) }));
    live.text($('r-rank'), rankOf(m.rank, m.players));
    $('r-facts').hidden = false;
    showMe(m.total_points);
    if (shown !== 'result') { show('result'); }
    announce(verdict + '. ' + $('r-points').textContent + ' ' + rankOf(m.rank, m.players));
  }

  // --- leaderboard and end -----------------------------------------------

  function fillBoard(list, entries) {
    list.textContent = '';
    entries.forEach(function (e) {
      var li = document.createElement('li');
      if (me && e.player_id === me.player_id) { li.className = 'is-me'; }
      var rank = document.createElement('span');
      rank.className = 'live-rank';
      rank.textContent = String(e.rank);
      var name = document.createElement('span');
      name.className = 'live-nick';
      name.textContent = e.nickname;
      var pts = document.createElement('span');
      pts.className = 'live-pts';
      pts.textContent = t('points_correct', { n: live.num(e.points), correct: e.correct });
      li.appendChild(rank);
      li.appendChild(name);
      li.appendChild(pts);
      list.appendChild(li);
    });
  }

  function onBoard(m) {
    reached(m.index);
    live.text($('board-title'), t('board_after', { n: m.index + 1 }));
    fillBoard($('board-list'), m.entries);
    var mine = me && m.entries.some(function (e) { return e.player_id === me.player_id; });
    live.text($('board-me'), !mine && lastResult && lastResult.index === m.index
      ? rankOf(lastResult.rank, lastResult.players) : '');
    show('board');
  }

  var ended = null;
  function onEnded(m) {
    ended = m;
    fillBoard($('f-board'), m.entries);
  }

  function onFinal(m) {
    over = true;
    live.text($('f-rank'), rankOf(m.rank, m.players));
    live.text($('f-points'), t('points', { n: live.num(m.points) }));
    live.text($('f-correct'), t('correct_of', { n: live.num(m.correct), count: live.num(counted(progress.last)) }));
    showMe(m.points);
    save(key + '.final', { final: m, ended: ended });
    show('final');
    announce(t('final_announce', { rank: live.num(m.rank), players: live.num(m.players), n: live.num(m.points) }));
  }

  function showKept() {
    var kept = load(key + '.final');
    if (!kept) { return false; }
    if (kept.ended) { onEnded(kept.ended); }
    onFinal(kept.final);
    return true;
  }

  function gone(title, text) {
    over = true;
    live.text($('gone-title'), title);
    live.text($('gone-text'), text);
    show('gone');
  }

  // --- errors ------------------------------------------------------------

  function onError(m) {
    switch (m.code) {
      case 'nickname_taken':
      case 'invalid_nickname':
      case 'game_full':
      case 'already_joined':
        if (!joined) { askNickname(m.message); return; }
        break;
      case 'invalid_token':
        forget(key);
        me = null;
        askNickname(m.message);
        return;
      case 'player_kicked':
        kicked();
        return;
      case 'game_ended':
      case 'not_found':
        if (!joined) {
          if (!showKept()) { gone(t('ended_title'), m.message); }
          conn.stop();
          return;
        }
        break;
      case 'question_closed':
        if (question) {
          setAnswering(false);
          live.text($('q-status'), m.message);
        }
        return;
      case 'invalid_option':
      case 'question_not_open':
      case 'already_answered':
        if (question && shown === 'question') {
          if (m.code === 'invalid_option') { delete answered[question.index]; setAnswering(true); }
          live.text($('q-status'), m.message);
          return;
        }
        break;
    }
    status(m.message);
  }

  function kicked() {
    over = true;
    forget(key);
    show('kicked');
    conn.stop();
  }

  // --- the socket --------------------------------------------------------

  var handlers = {
    joined: onJoined, question: onQuestion, ack: onAck, reveal: onReveal, result: onResult,
    skipped: function (m) { skippedOne(m.index); skippedJust = m.index; show('skipped'); announce(t('skipped_announce')); },
    leaderboard: onBoard, ended: onEnded, final: onFinal, kicked: kicked, error: onError
  };

  var conn = live.socket(root.dataset.ws, {
    open: onOpen,
    message: function (m) {
      var f = handlers[m.type];
      if (f) { f(m); }
    },
    close: function (ev, tries) {
      joined = false;
      if (ev.code === 4003) { kicked(); return false; }
      if (ev.code === 4001) { gone(t('replaced_title'), t('replaced_text')); return false; }
      if (over) { return false; }
      // A game that ended long ago is no longer served: what this tab kept
      // of its end is shown instead.
      if (tries >= 3 && showKept()) { return false; }
      if (tries >= 3 && root.dataset.phase === 'ended') { gone(t('ended_title'), t('ended_text')); return false; }
      status(t('reconnecting'));
      return true;
    }
  });
})();
