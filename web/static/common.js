// What the page scripts share: the UI text a page carries in its
// #strings block, and the address of a websocket on this site.
window.hoithi = {
  // text returns t(key, {name: value}): the page's text for key with each
  // {name} replaced.
  text: function () {
    var S = JSON.parse(document.getElementById('strings').textContent);
    return function t(key, vars) {
      var s = S[key] || key;
      if (vars) {
        Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
      }
      return s;
    };
  },
  socketURL: function (path) {
    return (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + path;
  }
};
