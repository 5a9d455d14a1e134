// The quiz page: shows an attempt's questions, sends each answer over the
// attempt's websocket and marks it saved only when the server acknowledges
// it, counts down to the server's deadline and submits. A reload or a lost
// connection comes back to the same state: the server sends it on connect.
//
// On a phone one question is in view at a time, with previous and next; a
// wider screen shows them all. The navigator lists every question by number,
// marks the answered ones and jumps to any of them.
(function () {
  'use strict';
  var root = document.getElementById('quiz');
  if (!root) { return; }
  var t = window.hoithi.text();

  function $(id) { return document.getElementById(id); }
  function each(list, f) { Array.prototype.forEach.call(list, f); }

  var questions = [];      // as the server sent them, in this attempt's order
  var acked = {};          // question id → option ids the server has stored
  var latest = {};         // question id → {seq, ids, since}: the newest choice made here, not yet stored
  var pending = {};        // seq → question id, for answers not acknowledged yet
  var seq = 0;
  var offset = 0;          // server clock − this clock, in ms
  var deadline = Date.parse(root.dataset.deadline);
  var graceMs = 0;
  var ws = null;
  var retries = 0;
  var finished = false;    // the result is on its way: nothing more to do here
  var stale = false;       // the attempt was opened elsewhere
  var timedOut = false;
  var submitSeq = 0;
  var timerHandle = 0;
  var announced = {};
  var current = 0;         // the index of the question in view
  var lastRetry = 0;       // when the page last reconnected for want of an ack
  var unsavedShown = false;

  function setConn(text) { $('conn').textContent = text; }
  function announce(text) { $('announcer').textContent = text; }

  // ackWait is how long an answer may wait for the server's ack before the
  // page says answers are not being saved. It is read each time, so that a
  // test can shorten it.
  function ackWait() {
    var ms = Number(root.dataset.ackWaitMs);
    return ms > 0 ? ms : 10000;
  }

  function connect() {
    if (finished || stale) { return; }
    var sock = new WebSocket(window.hoithi.socketURL(root.dataset.ws));
    ws = sock;
    sock.onopen = function () {
      if (sock !== ws) { return; }
      retries = 0;
      setConn('');
    };
    sock.onmessage = function (ev) {
      if (sock !== ws) { return; }
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      handle(msg);
    };
    sock.onclose = function (ev) {
      if (sock !== ws) { return; }
      ws = null;
      if (finished || stale) { return; }
      // The server closes an attempt's older socket with 4001 when a newer
      // one, another tab or device, takes the attempt over.
      if (ev.code === 4001) {
        becomeStale();
        return;
      }
      setConn(t('reconnecting'));
      retries++;
      setTimeout(connect, Math.min(10000, 500 * Math.pow(2, Math.min(retries, 5))));
    };
  }

  function send(obj) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  function handle(msg) {
    switch (msg.type) {
      case 'state': onState(msg); break;
      case 'ack': onAck(msg.seq); break;
      case 'error': onError(msg); break;
      case 'result': onResult(); break;
    }
  }

  function onState(msg) {
    offset = Date.parse(msg.server_time) - Date.now();
    deadline = Date.parse(msg.deadline);
    graceMs = msg.grace_ms || 0;
    if (msg.status === 'submitted') { onResult(); return; }
    if (!questions.length) { render(msg.questions); }
    acked = {};
    Object.keys(msg.answers || {}).forEach(function (k) { acked[k] = msg.answers[k]; });
    pending = {};
    questions.forEach(function (q) {
      var mine = latest[q.id];
      if (mine && !same(mine.ids, acked[q.id])) {
        sendAnswer(q.id, mine.ids); // chosen here while the connection was down
      } else {
        delete latest[q.id];
        showChoice(q.id, acked[q.id] || []);
        setStatus(q.id, acked[q.id] ? 'saved' : '');
      }
    });
    refresh();
    $('loading').hidden = true;
    $('qnav').hidden = false;
    $('pager').hidden = false;
    $('submit-box').hidden = false;
    if (!timerHandle && !timedOut) { tick(); timerHandle = setInterval(tick, 250); }
  }

  function same(a, b) {
    a = (a || []).slice().sort(); b = (b || []).slice().sort();
    return a.length === b.length && a.every(function (x, i) { return x === b[i]; });
  }

  function render(list) {
    questions = list;
    var ol = $('questions');
    var nav = $('qnav-list');
    list.forEach(function (q, i) {
      var li = document.createElement('li');
      li.className = 'question';
      li.id = 'q-' + q.id;
      li.tabIndex = -1; // the navigator and the pager move the focus here
      li.addEventListener('focusin', function () { if (current !== i) { go(i, false); } });
      var fs = document.createElement('fieldset');
      var legend = document.createElement('legend');
      var num = document.createElement('span');
      num.className = 'q-num';
      num.textContent = t('question_n', { n: i + 1, total: list.length });
      var text = document.createElement('span');
      text.className = 'q-text';
      text.lang = 'vi'; // questions are Vietnamese whatever the page's language
      text.textContent = q.text;
      legend.appendChild(num);
      legend.appendChild(text);
      fs.appendChild(legend);
      var hint = document.createElement('p');
      hint.className = 'q-hint';
      hint.textContent = q.multiple ? t('choose_all') : t('choose_one');
      fs.appendChild(hint);
      q.options.forEach(function (o) {
        var label = document.createElement('label');
        label.className = 'option';
        var input = document.createElement('input');
        input.type = q.multiple ? 'checkbox' : 'radio';
        input.name = 'q-' + q.id;
        input.value = String(o.id);
        input.addEventListener('change', function () { choose(q); });
        var span = document.createElement('span');
        span.lang = 'vi';
        span.textContent = o.text;
        label.appendChild(input);
        label.appendChild(span);
        fs.appendChild(label);
      });
      var status = document.createElement('p');
      status.className = 'q-status';
      status.id = 'q-status-' + q.id;
      status.setAttribute('aria-live', 'polite');
      fs.appendChild(status);
      li.appendChild(fs);
      ol.appendChild(li);

      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'qnav-btn';
      button.id = 'qnav-' + (i + 1);
      button.textContent = String(i + 1);
      button.addEventListener('click', function () { go(i, true); });
      item.appendChild(button);
      nav.appendChild(item);
    });
    var m = /^#cau-(\d+)$/.exec(location.hash);
    var start = m ? Number(m[1]) - 1 : 0;
    go(start >= 0 && start < list.length ? start : 0, !!m);
  }

  // go brings question i into view: on a phone the only one shown. With
  // focus, the focus moves to it, so that a screen reader reads it next.
  function go(i, focus) {
    current = i;
    questions.forEach(function (q, k) {
      $('q-' + q.id).classList.toggle('is-current', k === i);
      var b = $('qnav-' + (k + 1));
      if (k === i) { b.setAttribute('aria-current', 'step'); } else { b.removeAttribute('aria-current'); }
    });
    $('prev').disabled = i === 0;
    $('next').disabled = i === questions.length - 1;
    $('pager-at').textContent = t('question_n', { n: i + 1, total: questions.length });
    if (history.replaceState) { history.replaceState(null, '', '#cau-' + (i + 1)); }
    if (focus) {
      var li = $('q-' + questions[i].id);
      li.focus({ preventScroll: true });
      li.scrollIntoView({ block: 'start' });
    }
  }

  function inputsOf(qid) {
    return document.querySelectorAll('input[name="q-' + qid + '"]');
  }

  function showChoice(qid, ids) {
    each(inputsOf(qid), function (input) {
      input.checked = ids.indexOf(Number(input.value)) >= 0;
    });
  }

  function choose(q) {
    var ids = [];
    each(inputsOf(q.id), function (input) {
      if (input.checked) { ids.push(Number(input.value)); }
    });
    sendAnswer(q.id, ids);
    refresh();
  }

  function sendAnswer(qid, ids) {
    seq++;
    // An answer waiting to be stored keeps the time it started waiting
    // through later choices and resends.
    var since = latest[qid] ? latest[qid].since : Date.now();
    latest[qid] = { seq: seq, ids: ids, since: since };
    pending[seq] = qid;
    if (send({ type: 'answer', seq: seq, question_id: qid, option_ids: ids })) {
      setStatus(qid, 'saving');
    } else {
      setStatus(qid, 'queued');
    }
  }

  function onAck(s) {
    var qid = pending[s];
    if (qid === undefined) { return; }
    delete pending[s];
    var mine = latest[qid];
    if (mine && mine.seq === s) {
      acked[qid] = mine.ids;
      delete latest[qid];
      setStatus(qid, 'saved');
    }
    lastRetry = 0;
    checkSaving();
    refresh();
  }

  function onError(msg) {
    if (msg.seq && msg.seq === submitSeq) {
      submitSeq = 0;
      $('submit').disabled = false;
      if (msg.code === 'already_submitted' || msg.code === 'deadline_passed') { onResult(); return; }
      $('submit-error').textContent = msg.message;
      return;
    }
    var qid = msg.seq ? pending[msg.seq] : undefined;
    if (qid !== undefined) {
      delete pending[msg.seq];
      if (latest[qid] && latest[qid].seq === msg.seq) {
        delete latest[qid];
        showChoice(qid, acked[qid] || []);
      }
      setStatus(qid, 'error', msg.message);
      refresh();
    } else {
      setConn(msg.message);
    }
    if (msg.code === 'deadline_passed' || msg.code === 'already_submitted') { timeUp(); }
  }

  function onResult() {
    finished = true;
    if (ws) { ws.close(); }
    location.replace(root.dataset.result);
  }

  function setStatus(qid, kind, text) {
    var el = $('q-status-' + qid);
    if (!el) { return; }
    el.className = 'q-status' + (kind ? ' is-' + kind : '');
    el.textContent = text || (kind ? t('status_' + kind) : '');
  }

  // chosen is the choice the page shows for a question: the newest made
  // here, else the stored one.
  function chosen(qid) {
    return latest[qid] ? latest[qid].ids : (acked[qid] || []);
  }

  function unanswered() {
    var out = [];
    questions.forEach(function (q, i) { if (!chosen(q.id).length) { out.push(i); } });
    return out;
  }

  // refresh shows how far the contestant is: the count, the navigator's
  // marks and the jump to the next unanswered question.
  function refresh() {
    var open = unanswered();
    var n = questions.length - open.length;
    $('progress').textContent = t('progress', { n: n, total: questions.length });
    $('unanswered').textContent = open.length > 0 ? t('unanswered', { n: open.length }) : t('all_answered');
    questions.forEach(function (q, i) {
      var b = $('qnav-' + (i + 1));
      var done = open.indexOf(i) < 0;
      b.classList.toggle('is-answered', done);
      b.setAttribute('aria-label', t(done ? 'nav_answered' : 'nav_open', { n: i + 1 }));
    });
    $('next-unanswered').hidden = open.length === 0;
  }

  function nextUnanswered() {
    var open = unanswered();
    if (!open.length) { return; }
    var after = open.filter(function (i) { return i > current; });
    go(after.length ? after[0] : open[0], true);
  }

  // checkSaving tells the contestant when an answer has waited longer than
  // ackWait for the server, and meanwhile tries again on a new connection:
  // the server's state on connect tells what it holds, and the page resends
  // the rest.
  function checkSaving() {
    if (finished || stale) { return; }
    var now = Date.now();
    var oldest = Infinity;
    Object.keys(latest).forEach(function (k) { oldest = Math.min(oldest, latest[k].since); });
    var late = now - oldest >= ackWait();
    if (late !== unsavedShown) {
      unsavedShown = late;
      $('unsaved').hidden = !late;
      $('unsaved-text').textContent = late ? t('unsaved') : '';
      if (!late) { announce(t('saved_again')); }
    }
    if (late && now - lastRetry >= ackWait() && ws && ws.readyState === WebSocket.OPEN) {
      lastRetry = now;
      ws.close(4000, 'no ack');
    }
  }

  function remaining() { return deadline - (Date.now() + offset); }

  function clock(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var m = Math.floor(s / 60);
    s = s % 60;
    return (m < 10 ? '0' : '') + m + ':' + (s < 10 ? '0' : '') + s;
  }

  // Screen readers hear the time left when the attempt starts, every five
  // minutes, and at 2 min, 1 min, 30 s and 10 s: often enough to plan,
  // rarely enough not to drown the questions.
  var marks = [120, 60, 30, 10];
  function tick() {
    var ms = remaining();
    var secs = Math.ceil(ms / 1000);
    $('timer').textContent = clock(ms);
    $('timer').parentNode.classList.toggle('low', secs <= 60);
    var key = '';
    var text = '';
    if (!announced.start) {
      key = 'start';
      text = t('time_left_min', { m: Math.max(1, Math.round(secs / 60)) });
    } else if (secs > 120 && secs % 300 === 0) {
      key = 'at' + secs;
      text = t('time_left_min', { m: secs / 60 });
    } else if (marks.indexOf(secs) >= 0) {
      key = 'at' + secs;
      text = secs >= 60 ? t('time_left_min', { m: secs / 60 }) : t('time_left_sec', { s: secs });
    }
    if (key && !announced[key]) {
      announced[key] = true;
      announce(text);
    }
    checkSaving();
    if (ms <= 0) { timeUp(); }
  }

  function closeDialog(id) {
    var d = $(id);
    if (d.open) { d.close(); }
  }

  function disableAnswers() {
    each(document.querySelectorAll('#questions input, #prediction'), function (i) { i.disabled = true; });
    $('submit').disabled = true;
  }

  function timeUp() {
    if (timedOut || stale) { return; }
    timedOut = true;
    clearInterval(timerHandle);
    $('timer').textContent = '00:00';
    setConn(t('time_up'));
    disableAnswers();
    closeDialog('confirm');
    var d = $('time-up');
    if (d.showModal) { d.showModal(); } else { d.setAttribute('open', ''); }
    announce(t('time_up'));
    // The server submits the attempt when the grace for late messages is
    // over and sends the result; if the socket is down, look for ourselves.
    setTimeout(function () { if (!finished) { onResult(); } }, graceMs + 4000);
  }

  // becomeStale stops this page: the attempt goes on in another tab or on
  // another device, and answers typed here would not reach it.
  function becomeStale() {
    stale = true;
    clearInterval(timerHandle);
    disableAnswers();
    closeDialog('confirm');
    $('unsaved').hidden = true;
    setConn('');
    $('stale').hidden = false;
    $('stale-text').textContent = t('replaced');
    $('stale-reload').focus();
  }

  function submit() {
    var msg = { type: 'submit' };
    var pred = $('prediction');
    if (pred && pred.value !== '') {
      var v = Number(pred.value);
      if (!Number.isInteger(v) || v < 0 || v > 1000000000) {
        $('submit-error').textContent = t('prediction_invalid');
        pred.focus();
        return;
      }
      msg.prediction = v;
    }
    seq++;
    submitSeq = seq;
    msg.seq = seq;
    if (!send(msg)) {
      submitSeq = 0;
      $('submit-error').textContent = t('offline');
      return;
    }
    $('submit').disabled = true;
  }

  // askToSubmit submits at once when every question has an answer, else
  // first lists the unanswered ones, each a way back to it.
  function askToSubmit() {
    var open = unanswered();
    if (!open.length) { submit(); return; }
    var d = $('confirm');
    var numbers = open.map(function (i) { return i + 1; });
    if (!d.showModal) {
      if (window.confirm(t('confirm_unanswered', { n: open.length }))) { submit(); }
      return;
    }
    $('confirm-text').textContent = t('confirm_list', { n: open.length, list: numbers.join(', ') });
    var list = $('confirm-list');
    list.textContent = '';
    open.forEach(function (i) {
      var item = document.createElement('li');
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = t('question_short', { n: i + 1 });
      b.addEventListener('click', function () { d.close(); go(i, true); });
      item.appendChild(b);
      list.appendChild(item);
    });
    d.showModal();
    $('confirm-back').focus();
  }

  $('submit').addEventListener('click', function () {
    $('submit-error').textContent = '';
    askToSubmit();
  });
  $('confirm-back').addEventListener('click', function () { $('confirm').close(); });
  $('confirm-submit').addEventListener('click', function () {
    $('confirm').close();
    submit();
  });
  $('prev').addEventListener('click', function () { if (current > 0) { go(current - 1, true); } });
  $('next').addEventListener('click', function () { if (current < questions.length - 1) { go(current + 1, true); } });
  $('next-unanswered').addEventListener('click', nextUnanswered);
  $('stale-reload').addEventListener('click', function () { location.reload(); });

  // The deadline as the pages write it, 15:04 02/01/2006 in Vietnam's time.
  // The first state may move the deadline the page was rendered with, so
  // this follows the state's.
  function vietnamTime(ms) {
    var d = window.hoithi.vietnam(ms), two = window.hoithi.two;
    return two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ' ' +
      two(d.getUTCDate()) + '/' + two(d.getUTCMonth() + 1) + '/' + d.getUTCFullYear();
  }

  // Signing out does not stop the attempt: its time runs on to the
  // deadline, and the server submits what was saved. Say so first.
  each(document.querySelectorAll('form[action="/logout"]'), function (form) {
    form.addEventListener('submit', function (ev) {
      if (finished || timedOut) { return; }
      if (!window.confirm(t('logout_confirm', { time: vietnamTime(deadline) }))) { ev.preventDefault(); }
    });
  });

  connect();
})();
