// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var text = document.getElementById("text");
  if (!text) return;
  // Put the caret on the line a parse error names.
  var line = parseInt(text.getAttribute("data-error-line") || "0", 10);
  if (line > 0) {
    var lines = text.value.split("\n"), start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
    text.scrollTop = Math.max(0, (line - 5) * 20);
  }
  // Ctrl/Cmd+S saves; warn before leaving unsaved changes.
  var form = text.form, dirty = false, saving = false;
  text.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { saving = true; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !saving) { e.preventDefault(); e.returnValue = ""; }
  });
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") {
      var save = form.querySelector('button[value="save"]');
      if (save) { e.preventDefault(); save.click(); }
    }
  });
})();
