// The quiz page: shows an attempt's questions, sends each answer over the
// attempt's websocket and marks it saved only when the server acknowledges
// it, counts down to the server's deadline and submits. A reload or a lost
// connection comes back to the same state: the server sends it on connect.
(function () {
  'use strict';
  var root = document.getElementById('quiz');
  if (!root) { return; }
  var t = window.hoithi.text();

  function $(id) { return document.getElementById(id); }

  var questions = [];      // as the server sent them, in this attempt's order
  var acked = {};          // question id → option ids the server has stored
  var latest = {};         // question id → {seq, ids}: the newest choice made here
  var pending = {};        // seq → question id, for answers not acknowledged yet
  var seq = 0;
  var offset = 0;          // server clock − this clock, in ms
  var deadline = Date.parse(root.dataset.deadline);
  var graceMs = 0;
  var ws = null;
  var retries = 0;
  var finished = false;
  var submitSeq = 0;
  var timerHandle = 0;
  var announced = {};

  function setConn(text) { $('conn').textContent = text; }
  function announce(text) { $('announcer').textContent = text; }

  function connect() {
    ws = new WebSocket(window.hoithi.socketURL(root.dataset.ws));
    ws.onopen = function () { retries = 0; setConn(''); };
    ws.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      handle(msg);
    };
    ws.onclose = function (ev) {
      ws = null;
      if (finished) { return; }
      if (ev.code === 4001) {
        setConn(t('replaced'));
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
    progress();
    $('loading').hidden = true;
    $('submit-box').hidden = false;
    if (!timerHandle) { tick(); timerHandle = setInterval(tick, 250); }
  }

  function same(a, b) {
    a = (a || []).slice().sort(); b = (b || []).slice().sort();
    return a.length === b.length && a.every(function (x, i) { return x === b[i]; });
  }

  function render(list) {
    questions = list;
    var ol = $('questions');
    list.forEach(function (q, i) {
      var li = document.createElement('li');
      li.className = 'question';
      li.id = 'q-' + q.id;
      var fs = document.createElement('fieldset');
      var legend = document.createElement('legend');
      var num = document.createElement('span');
      num.className = 'q-num';
      num.textContent = t('question_n', { n: i + 1, total: list.length });
      var text = document.createElement('span');
      text.className = 'q-text';
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
    });
  }

  function inputsOf(qid) {
    return document.querySelectorAll('input[name="q-' + qid + '"]');
  }

  function showChoice(qid, ids) {
    Array.prototype.forEach.call(inputsOf(qid), function (input) {
      input.checked = ids.indexOf(Number(input.value)) >= 0;
    });
  }

  function choose(q) {
    var ids = [];
    Array.prototype.forEach.call(inputsOf(q.id), function (input) {
      if (input.checked) { ids.push(Number(input.value)); }
    });
    sendAnswer(q.id, ids);
  }

  function sendAnswer(qid, ids) {
    seq++;
    latest[qid] = { seq: seq, ids: ids };
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
    progress();
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

  function answeredCount() {
    return questions.filter(function (q) { return acked[q.id] && acked[q.id].length; }).length;
  }

  function progress() {
    var n = answeredCount();
    $('progress').textContent = t('progress', { n: n, total: questions.length });
    var left = questions.length - n;
    $('unanswered').textContent = left > 0 ? t('unanswered', { n: left }) : t('all_answered');
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
    if (ms <= 0) { timeUp(); }
  }

  var timedOut = false;
  function timeUp() {
    if (timedOut) { return; }
    timedOut = true;
    clearInterval(timerHandle);
    $('timer').textContent = '00:00';
    announce(t('time_up'));
    setConn(t('time_up'));
    Array.prototype.forEach.call(document.querySelectorAll('#questions input'), function (i) { i.disabled = true; });
    $('submit').disabled = true;
    // The server submits the attempt when the grace for late messages is
    // over and sends the result; if the socket is down, look for ourselves.
    setTimeout(function () { if (!finished) { onResult(); } }, graceMs + 4000);
  }

  $('submit').addEventListener('click', function () {
    $('submit-error').textContent = '';
    var left = questions.length - answeredCount();
    if (left > 0 && !window.confirm(t('confirm_unanswered', { n: left }))) { return; }
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
  });

  connect();
})();
