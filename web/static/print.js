// The print button of printable documents.
document.getElementById("print-now")?.addEventListener("click", () => window.print());
