// The registration form: the legal representative's block shows while
// the birth date typed makes the person under 16 (or while they say they
// are). Without this script the server shows the block when it is needed.
// (After a refused submit the summary of errors takes the focus by its
// autofocus attribute.)
(function () {
  var block = document.getElementById('guardian');
  if (!block) {
    return;
  }
  // A block sent shown (an error in it, or an age the server read as
  // under 16) stays shown.
  var keep = !block.hidden && block.querySelector('.error') !== null;

  // ageOf reads a date typed day first (17/05/1990, 17-5-1990, 17051990)
  // or as 1990-05-17, and returns the completed years today, or -1.
  function ageOf(s) {
    s = s.trim();
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    var d, mo, y;
    if (m) {
      y = +m[1]; mo = +m[2]; d = +m[3];
    } else if ((m = /^(\d{2})(\d{2})(\d{4})$/.exec(s)) || (m = /^(\d{1,2})[\/.\- ](\d{1,2})[\/.\- ](\d{4})$/.exec(s))) {
      d = +m[1]; mo = +m[2]; y = +m[3];
    } else {
      return -1;
    }
    var born = new Date(y, mo - 1, d);
    if (born.getFullYear() !== y || born.getMonth() !== mo - 1 || born.getDate() !== d) {
      return -1;
    }
    var now = new Date();
    var age = now.getFullYear() - y;
    if (now.getMonth() < mo - 1 || (now.getMonth() === mo - 1 && now.getDate() < d)) {
      age--;
    }
    return age;
  }

  function update() {
    if (keep) {
      return;
    }
    var birth = document.getElementById('birth_date');
    var under = document.getElementById('age_group_under_16');
    var show = false;
    if (birth) {
      var age = ageOf(birth.value);
      show = age >= 0 && age < 16;
    } else if (under) {
      show = under.checked;
    }
    block.hidden = !show;
  }

  var birth = document.getElementById('birth_date');
  if (birth) {
    birth.addEventListener('input', update);
    birth.addEventListener('change', update);
  }
  document.querySelectorAll('input[name="age_group"]').forEach(function (r) {
    r.addEventListener('change', update);
  });
  update();
})();
