// Find-as-you-type for long lists of checkboxes (the firms of the subscribe
// and preferences forms). Progressive enhancement: without this file the
// list is a scrolling box of checkboxes, all of them submitted as usual.
(function () {
  "use strict";
  var sets = document.querySelectorAll("fieldset[data-filter]");
  Array.prototype.forEach.call(sets, function (set, n) {
    var labels = set.querySelectorAll("label.choice");
    if (labels.length < 10) return;
    var id = "filter-" + (set.getAttribute("data-filter") || n);
    var wrap = document.createElement("div");
    wrap.className = "field filter";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = "Find a firm";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.placeholder = "Type part of a name, e.g. Linklaters";
    var status = document.createElement("p");
    status.className = "fineprint filter-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(status);
    var legend = set.querySelector("legend");
    set.insertBefore(wrap, legend ? legend.nextSibling : set.firstChild);
    function fold(s) {
      return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    }
    function filter() {
      var q = fold(input.value.trim()), shown = 0;
      Array.prototype.forEach.call(labels, function (l) {
        var box = l.querySelector("input");
        var hit = q === "" || (box && box.checked) || fold(l.textContent).indexOf(q) >= 0;
        l.hidden = !hit;
        if (hit) shown++;
      });
      status.textContent = q === "" ? "" : shown + " of " + labels.length + " firms shown (ticked firms stay in view)";
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault(); // finding is not submitting
    });
  });
})();
