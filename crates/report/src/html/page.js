(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("states").textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll("#trace tbody tr[data-state]"));
  var title = document.getElementById("panel-title");
  var values = document.getElementById("panel-values");
  var tasks = document.getElementById("panel-tasks");
  var locks = document.getElementById("panel-locks");
  var selected = null;

  function add(parent, tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    parent.appendChild(e);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

  function show(row) {
    var i = Number(row.getAttribute("data-state"));
    var s = data.states[i];
    title.textContent = row.id === "end" ? "State at the end"
      : i === 0 ? "Initial state" : "State after step " + i;
    clear(values);
    data.slots.forEach(function (name, k) {
      var tr = add(values, "tr", undefined, s.changed.indexOf(k) >= 0 ? "changed" : "");
      add(tr, "th", name);
      add(tr, "td", s.values[k]);
    });
    clear(tasks);
    data.tasks.forEach(function (name, t) {
      var li = add(tasks, "li", undefined, "status-" + s.status[t]);
      add(li, "b", name);
      li.appendChild(document.createTextNode(": " + s.tasks[t]));
    });
    if (locks) {
      clear(locks);
      data.locks.forEach(function (name, l) {
        var li = add(locks, "li");
        add(li, "b", name);
        li.appendChild(document.createTextNode(": " + s.locks[l]));
      });
    }
  }

  function select(row, scroll) {
    if (!row) return;
    if (selected) selected.classList.remove("selected");
    selected = row;
    row.classList.add("selected");
    show(row);
    if (scroll && row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
  }

  rows.forEach(function (row) {
    row.addEventListener("click", function () { select(row, false); });
    row.addEventListener("mouseenter", function () { show(row); });
  });
  document.getElementById("trace").addEventListener("mouseleave", function () {
    if (selected) show(selected);
  });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !rows.length) return;
    var i = rows.indexOf(selected);
    if (e.key === "ArrowDown" || e.key === "j") i = Math.min(rows.length - 1, i + 1);
    else if (e.key === "ArrowUp" || e.key === "k") i = Math.max(0, i - 1);
    else if (e.key === "Home") i = 0;
    else if (e.key === "End") i = rows.length - 1;
    else return;
    e.preventDefault();
    select(rows[i], true);
  });
  function fromHash() {
    var row = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    return rows.indexOf(row) >= 0 ? row : null;
  }
  window.addEventListener("hashchange", function () { select(fromHash(), true); });
  select(fromHash() || rows[rows.length - 1], false);
})();
