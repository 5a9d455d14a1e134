// What the live quiz's host and player pages share: the answer marks
// (each option differs by shape and letter as well as colour), numbers in
// the page's language, the countdown, and a websocket that reconnects.
window.hoithiLive = (function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  // Shapes in a 24×24 box: triangle, diamond, circle, square, star,
  // hexagon, cross, pentagon.
  var shapes = [
    'M12 2.5 22.5 21h-21z',
    'M12 1.5 22.5 12 12 22.5 1.5 12z',
    'M2 12a10 10 0 1 0 20 0a10 10 0 1 0-20 0z',
    'M3 3h18v18H3z',
    'M12 1.8l3 6.7 7.2.7-5.5 4.8 1.7 7.1L12 17.4l-6.4 3.7 1.7-7.1-5.5-4.8 7.2-.7z',
    'M7 2.5h10l5.5 9.5-5.5 9.5H7L1.5 12z',
    'M8.5 2h7v6.5H22v7h-6.5V22h-7v-6.5H2v-7h6.5z',
    'M12 1.8l10.4 7.6-4 12.3H5.6l-4-12.3z'
  ];
  var letters = 'ABCDEFGH';

  // mark returns the option's shape (hidden from screen readers, which
  // read the letter) and its letter, for a button or a label.
  function mark(i) {
    var wrap = document.createElement('span');
    wrap.className = 'live-mark';
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'live-shape');
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', shapes[i % shapes.length]);
    svg.appendChild(path);
    var letter = document.createElement('span');
    letter.className = 'live-letter';
    letter.textContent = letter_(i);
    wrap.appendChild(svg);
    wrap.appendChild(letter);
    return wrap;
  }
  function letter_(i) { return letters.charAt(i % letters.length); }

  // colour is the option's colour class: white text on each has a
  // contrast of at least 5.7:1.
  function colour(i) { return 'live-c' + (i % shapes.length); }

  var lang = document.documentElement.lang || 'vi';
  function num(n) { return Number(n || 0).toLocaleString(lang); }

  // el replaces el's children with text: nicknames and questions are
  // always text, never markup.
  function text(el, s) { el.textContent = s == null ? '' : String(s); }

  // quizText puts the quiz's own text (a question, an option) in el, marked
  // as Vietnamese whatever the page's language, as the game's title is: a
  // screen reader on an English page then reads it with a Vietnamese voice.
  function quizText(el, s) {
    el.lang = 'vi';
    text(el, s);
    return el;
  }

  // countdown shows the seconds left until remainingMs from now in el,
  // and calls onEnd once at zero. It returns the function that stops it.
  function countdown(el, remainingMs, onEnd) {
    var end = Date.now() + Math.max(0, remainingMs);
    var shown = null, ended = false;
    function tick() {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      if (left !== shown) {
        shown = left;
        el.textContent = String(left);
        el.classList.toggle('low', left <= 5);
      }
      if (left === 0 && !ended) {
        ended = true;
        clearInterval(timer);
        if (onEnd) { onEnd(); }
      }
    }
    var timer = setInterval(tick, 200);
    tick();
    return function () { clearInterval(timer); };
  }

  // socket keeps a websocket to path open: it reconnects after a drop,
  // waiting longer each time (up to 5 s), until stop() or until onclose
  // returns false. on.open(send), on.message(m), on.close(event, tries).
  function socket(path, on) {
    var ws = null, tries = 0, stopped = false, timer = null;
    function send(m) {
      if (ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify(m)); return true; }
      return false;
    }
    function open() {
      timer = null;
      ws = new WebSocket(hoithi.socketURL(path));
      ws.onopen = function () { tries = 0; on.open(send); };
      ws.onmessage = function (ev) {
        var m;
        try { m = JSON.parse(ev.data); } catch (e) { return; }
        on.message(m, send);
      };
      ws.onclose = function (ev) {
        ws = null;
        if (stopped) { return; }
        tries++;
        if (on.close(ev, tries) === false) { stopped = true; return; }
        timer = setTimeout(open, Math.min(5000, 500 * tries));
      };
    }
    open();
    return {
      send: send,
      stop: function () {
        stopped = true;
        if (timer) { clearTimeout(timer); }
        if (ws) { ws.close(1000); }
      }
    };
  }

  return { mark: mark, letter: letter_, colour: colour, num: num, text: text, quizText: quizText, countdown: countdown, socket: socket };
})();
