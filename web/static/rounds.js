// The rounds of a contest page or the home page. A round that has not
// opened yet shows its start button at its opening, so that those who
// wait for it need not reload the page. The time is counted from when the
// server drew the page (data-opens-in-ms), not read from the device's
// clock, which may be wrong; the page's own journey makes the button come
// a moment late rather than early. In the last hour the wait counts down.
(function () {
  'use strict';
  var two = function (n) { return (n < 10 ? '0' : '') + n; };
  Array.prototype.forEach.call(document.querySelectorAll('form.opens-start[data-opens-in-ms]'), function (form) {
    var actions = form.parentNode;
    var wait = actions.querySelector('.opens-wait');
    var countdown = actions.querySelector('.countdown');
    var status = actions.querySelector('[role="status"]');
    var at = performance.now() + Number(form.getAttribute('data-opens-in-ms'));
    function tick() {
      var left = at - performance.now();
      if (left <= 0) {
        form.hidden = false;
        if (wait) { wait.hidden = true; }
        if (status) { status.textContent = status.getAttribute('data-text'); }
        return;
      }
      if (countdown && left < 3600 * 1000) {
        var s = Math.ceil(left / 1000);
        countdown.textContent = countdown.getAttribute('data-text').replace('{time}', two(Math.floor(s / 60)) + ':' + two(s % 60));
      }
      setTimeout(tick, Math.min(1000, left));
    }
    tick();
  });
})();
