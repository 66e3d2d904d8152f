// CekKlaim: optional search on the index (progressive enhancement; every page reads without it).
(function () {
  var form = document.getElementById("cari"), box = document.getElementById("q");
  var out = document.getElementById("hasil"), items = null;
  if (!form || !box || !out || !window.fetch) return;
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  function words(t) { return t.toLowerCase().normalize("NFKD").replace(/[^a-z0-9 ]+/g, " ").split(/\s+/).filter(Boolean); }
  function show() {
    var q = words(box.value);
    out.textContent = "";
    if (!q.length || !items) return;
    var found = items.filter(function (it) { return q.every(function (w) { return it.k.indexOf(w) >= 0; }); });
    found.slice(0, 20).forEach(function (it) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = it.u; a.textContent = it.v + ": " + it.c;
      li.appendChild(a); out.appendChild(li);
    });
    if (!found.length) { var li = document.createElement("li"); li.textContent = "Tidak ada yang cocok."; out.appendChild(li); }
  }
  function search() {
    if (items) return show();
    fetch("cari.json").then(function (r) { return r.json(); }).then(function (data) {
      items = data.map(function (it) { it.k = words(it.c + " " + it.o + " " + it.v).join(" "); return it; });
      show();
    });
  }
  box.addEventListener("input", search);
  var asked = new URLSearchParams(window.location.search).get("q");  // index.html?q=... (a shared search)
  if (asked) { box.value = asked; search(); }
})();
