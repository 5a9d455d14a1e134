// What the page scripts share: the UI text a page carries in its
// #strings block, and the address of a websocket on this site.
window.hoithi = {
  // text returns t(key, {name: value}): the page's text for key with each
  // {name} replaced. A group "{one|other}" after a {name} becomes one when
  // that value is 1, else other: English counts ("1 question", "2
  // questions"); Vietnamese texts have no groups.
  text: function () {
    var S = {};
    Array.prototype.forEach.call(document.querySelectorAll('#strings, script[data-strings]'), function (el) {
      var more = JSON.parse(el.textContent);
      Object.keys(more).forEach(function (k) { S[k] = more[k]; });
    });
    return function t(key, vars) {
      var s = S[key] || key;
      if (!vars) { return s; }
      var last;
      return s.replace(/\{([a-z_]+)\}|\{([^{}|]*)\|([^{}|]*)\}/g, function (all, name, one, other) {
        if (name !== undefined) {
          if (!Object.prototype.hasOwnProperty.call(vars, name)) { return all; }
          last = vars[name];
          return String(last);
        }
        return String(last).trim() === '1' ? one : other;
      });
    };
  },
  socketURL: function (path) {
    return (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + path;
  },
  // vietnam returns a Date whose UTC fields are the clock and calendar of
  // Vietnam (UTC+7 all year) at ms; two writes one of them in two digits.
  vietnam: function (ms) { return new Date(ms + 7 * 3600 * 1000); },
  two: function (n) { return (n < 10 ? '0' : '') + n; }
};
