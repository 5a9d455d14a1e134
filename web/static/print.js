// Printable documents. On the officials' pages the toolbar's lines show in
// the document as they are typed, and "In / Lưu PDF" first saves them for
// the contest, so that what prints is what the toolbar shows and what every
// contestant's certificate says. A contestant's page has only the button.
(() => {
  const form = document.querySelector("form.toolbar");
  const status = document.getElementById("issuer-status");
  const inputs = form ? Array.from(form.querySelectorAll("input[data-field]")) : [];

  // show writes a line as typed wherever the document prints it.
  const show = (input) => {
    const value = input.value.trim().replace(/\s+/g, " ");
    for (const el of document.querySelectorAll(`[data-issuer="${input.name}"]`)) {
      el.textContent = value || el.dataset.empty || "";
      if (input.name === "superior") el.hidden = value === "";
    }
  };
  const say = (text, kind) => {
    if (!status) return;
    status.textContent = text;
    status.className = "toolbar-status" + (kind ? " " + kind : "");
  };
  const unsaved = () => form.dataset.issued !== "true" || inputs.some((i) => i.value !== i.defaultValue);

  // save stores the lines through the API. When they are refused, the form
  // is sent the ordinary way, and the page comes back saying what is wrong
  // next to each field.
  const save = async () => {
    if (!form.reportValidity()) return false;
    const body = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
    let res = null;
    try {
      res = await fetch(form.dataset.api, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      res = null;
    }
    if (!res || !res.ok) {
      form.requestSubmit();
      return false;
    }
    const saved = await res.json();
    for (const i of inputs) {
      i.value = saved[i.name] ?? "";
      i.defaultValue = i.value;
      show(i);
    }
    form.dataset.issued = "true";
    say(form.dataset.savedText, "notice");
    return true;
  };

  for (const i of inputs) {
    i.addEventListener("input", () => {
      show(i);
      if (unsaved()) say(form.dataset.dirtyText, "warning");
    });
  }

  const button = document.getElementById("print-now");
  button?.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if (form && unsaved() && !(await save())) return;
      // Print in the document's own font, never in a fallback.
      await document.fonts.ready;
      window.print();
    } finally {
      button.disabled = false;
    }
  });
})();
