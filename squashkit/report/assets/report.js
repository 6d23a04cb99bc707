/* squashkit HTML report: pan/zoom of the inline SVG graphs, app views, migration search, sortable tables.
   Plain DOM code, no library, nothing fetched. The data is the JSON document #sk-data (see html.py). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sk-data").textContent);
  var M = data.m;
  var byKey = new Map();
  var children = M.map(function () { return []; });
  M.forEach(function (m, i) { byKey.set(m.k, i); });
  M.forEach(function (m, i) { m.p.forEach(function (p) { children[p].push(i); }); });
  var findingsOf = new Map();
  data.findings.forEach(function (f, n) {
    f.n = n;
    if (f.m < 0) return;
    if (!findingsOf.has(f.m)) findingsOf.set(f.m, []);
    findingsOf.get(f.m).push(f);
  });
  var appIndex = new Map();
  data.apps.forEach(function (a, i) { appIndex.set(a.label, i); });
  var countOf = data.apps.map(function () { return 0; });
  M.forEach(function (m) { if (!m.x) countOf[m.a] += 1; });

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var kid = arguments[i];
      if (kid === null || kid === undefined) continue;
      node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    }
    return node;
  }
  function migLink(i) { return el("a", { href: "#", cls: "sk-mig", "data-key": M[i].k, text: M[i].k }); }
  function codeText(text) { return el("code", { text: text }); }
  function file(m) {
    if (m.f) return m.f;
    if (m.x || m.o === undefined) return "";
    return data.apps[m.a].dir + "/" + m.k.slice(m.k.indexOf(".") + 1) + ".py";
  }
  function loc(m) { var f = file(m); return f ? f + (m.l ? ":" + m.l : "") : ""; }
  function ref(d) { return typeof d === "number" ? migLink(d) : codeText(d); }
  // Messages and reasons live once in the page, in the rows of the findings and proposals tables.
  var findingRows = new Map(), changeRows = new Map();
  Array.prototype.forEach.call(document.querySelectorAll("#sk-findings-table tr[data-f]"), function (tr) {
    findingRows.set(Number(tr.getAttribute("data-f")), tr);
  });
  Array.prototype.forEach.call(document.querySelectorAll("#sk-proposals-table tr[data-p]"), function (tr) {
    var i = Number(tr.getAttribute("data-p"));
    if (!changeRows.has(i)) changeRows.set(i, []);
    changeRows.get(i).push(tr);
  });
  function cellNodes(tr, n) {
    var box = el("span");
    if (tr && tr.cells[n]) Array.prototype.forEach.call(tr.cells[n].childNodes, function (c) { box.appendChild(c.cloneNode(true)); });
    return box;
  }

  // -- pan and zoom of an inline SVG (its viewBox) ----------------------------------------------------------
  function panZoom(viewport, toolbar) {
    var svg = viewport.querySelector("svg");
    if (!svg) return null;
    var base = svg.viewBox.baseVal;
    var full = { x: base.x, y: base.y, w: base.width, h: base.height };
    var view = { x: full.x, y: full.y, w: full.w, h: full.h };
    function set(v) {
      var min = 20, max = Math.max(full.w, full.h) * 4;
      if (v.w < min || v.h < min || v.w > max) return;
      view = v;
      svg.setAttribute("viewBox", v.x + " " + v.y + " " + v.w + " " + v.h);
    }
    function toSvg(cx, cy) {
      var ctm = svg.getScreenCTM();
      if (!ctm) return { x: view.x + view.w / 2, y: view.y + view.h / 2 };
      var pt = svg.createSVGPoint();
      pt.x = cx; pt.y = cy;
      return pt.matrixTransform(ctm.inverse());
    }
    function zoom(f, p) {
      p = p || { x: view.x + view.w / 2, y: view.y + view.h / 2 };
      set({ x: p.x - (p.x - view.x) * f, y: p.y - (p.y - view.y) * f, w: view.w * f, h: view.h * f });
    }
    function fit() { set({ x: full.x, y: full.y, w: full.w, h: full.h }); }
    function initial() {
      // The whole graph when it stays readable; else its top at a readable scale ("fit" shows it whole).
      var r = viewport.getBoundingClientRect();
      if (!r.width || !r.height || Math.min(r.width / full.w, r.height / full.h) >= 0.5) { fit(); return; }
      var w = r.width * 1.25, h = r.height * 1.25;
      set({ x: full.x + (full.w - w) / 2, y: full.y, w: w, h: h });
    }
    initial();
    viewport.addEventListener("wheel", function (e) {
      e.preventDefault();
      zoom(Math.pow(1.0015, e.deltaY), toSvg(e.clientX, e.clientY));
    }, { passive: false });
    var start = null, dragged = false;
    viewport.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      var ctm = svg.getScreenCTM();
      start = { x: e.clientX, y: e.clientY, view: view, k: ctm ? 1 / ctm.a : 1, id: e.pointerId };
      dragged = false;
    });
    viewport.addEventListener("pointermove", function (e) {
      if (!start) return;
      var dx = e.clientX - start.x, dy = e.clientY - start.y;
      if (!dragged && Math.abs(dx) + Math.abs(dy) < 5) return;
      if (!dragged) { dragged = true; viewport.classList.add("sk-dragging"); viewport.setPointerCapture(start.id); }
      set({ x: start.view.x - dx * start.k, y: start.view.y - dy * start.k, w: start.view.w, h: start.view.h });
    });
    function end() { start = null; viewport.classList.remove("sk-dragging"); }
    viewport.addEventListener("pointerup", end);
    viewport.addEventListener("pointercancel", end);
    viewport.addEventListener("click", function (e) {
      if (dragged) { e.stopPropagation(); e.preventDefault(); dragged = false; }
    }, true);
    if (toolbar) toolbar.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-zoom]");
      if (!b) return;
      var what = b.getAttribute("data-zoom");
      if (what === "in") zoom(1 / 1.4); else if (what === "out") zoom(1.4); else fit();
    });
    function show(node) {
      // Centre on node, at about one SVG unit per pixel (readable), never wider than the whole graph.
      var ctm = svg.getScreenCTM(), nctm = node.getScreenCTM();
      if (!ctm || !nctm) return;
      var m = ctm.inverse().multiply(nctm), b = node.getBBox();
      var pt = svg.createSVGPoint();
      pt.x = b.x + b.width / 2; pt.y = b.y + b.height / 2;
      var c = pt.matrixTransform(m);
      var r = viewport.getBoundingClientRect();
      var w = Math.max(r.width, 200) * 1.25, h = Math.max(r.height, 150) * 1.25;
      if (full.w <= w && full.h <= h) { fit(); return; }
      set({ x: c.x - w / 2, y: c.y - h / 2, w: w, h: h });
    }
    return { fit: fit, zoom: zoom, show: show, svg: svg };
  }

  // -- sortable tables ---------------------------------------------------------------------------------------
  var SEV = { error: 0, warning: 1, info: 2 };
  function sortable(table) {
    var head = table.tHead;
    if (!head) return;
    head.addEventListener("click", function (e) {
      var th = e.target.closest("th");
      if (!th) return;
      var col = Array.prototype.indexOf.call(th.parentNode.children, th);
      var kind = th.getAttribute("data-kind") || "text";
      var dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
      Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", dir);
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var value = function (row) {
        var text = row.cells[col] ? row.cells[col].textContent.trim() : "";
        if (kind === "num") { var n = parseFloat(text); return isNaN(n) ? -Infinity : n; }
        if (kind === "sev") return text in SEV ? SEV[text] : 9;
        return text;
      };
      var keyed = rows.map(function (row, i) { return { row: row, v: value(row), i: i }; });
      keyed.sort(function (a, b) {
        var c = kind === "text" ? (a.v < b.v ? -1 : a.v > b.v ? 1 : 0) : a.v - b.v;
        return (dir === "asc" ? c : -c) || a.i - b.i;
      });
      keyed.forEach(function (k) { body.appendChild(k.row); });
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sk-sortable"), sortable);

  // -- the app graph -----------------------------------------------------------------------------------------
  var appsViewport = document.getElementById("sk-apps-graph");
  var appsPZ = appsViewport ? panZoom(appsViewport, appsViewport.previousElementSibling) : null;
  function titleOf(g) { var t = g.querySelector("title"); return t ? t.textContent : ""; }
  if (appsViewport) {
    appsViewport.addEventListener("click", function (e) {
      var g = e.target.closest("g.node");
      if (!g) return;
      var label = titleOf(g);
      if (appIndex.has(label) && !data.apps[appIndex.get(label)].ext) openApp(label, true);
    });
  }

  // -- one app: its migration graph and table ----------------------------------------------------------------
  var appView = document.getElementById("sk-app-view");
  var current = { app: null, pz: null, rows: new Map() };
  function openApp(label, scroll) {
    var a = appIndex.get(label);
    if (a === undefined) return;
    appView.hidden = false;  // first: the graph's initial view is sized on the shown viewport
    if (current.app !== label) {
      current = { app: label, pz: null, rows: new Map() };
      document.getElementById("sk-app-title").textContent = label + ": " + countOf[a] + " migration" + (countOf[a] === 1 ? "" : "s");
      var graphWrap = document.getElementById("sk-app-graph-wrap");
      graphWrap.textContent = "";
      var tpl = document.getElementById("sk-svg-" + label);
      if (tpl) {
        var toolbar = el("div", { cls: "sk-toolbar" },
          el("button", { type: "button", "data-zoom": "in", title: "Zoom in", text: "+" }),
          el("button", { type: "button", "data-zoom": "out", title: "Zoom out", text: "\u2212" }),
          el("button", { type: "button", "data-zoom": "fit", title: "Fit", text: "fit" }),
          el("span", { cls: "sk-legend", text: "Click a migration: its ancestors (blue) and descendants (green). Blue edges: cross-app; dashed grey: redundant; dashed orange: proposed for removal." }));
        var viewport = el("div", { cls: "sk-viewport", id: "sk-app-graph" });
        if (tpl.content) viewport.appendChild(document.importNode(tpl.content, true));
        else viewport.innerHTML = tpl.textContent;
        graphWrap.appendChild(toolbar);
        graphWrap.appendChild(viewport);
        current.pz = panZoom(viewport, toolbar);
        viewport.addEventListener("click", function (e) {
          var g = e.target.closest("g.node");
          if (g && byKey.has(titleOf(g))) select(byKey.get(titleOf(g)), false);
        });
      } else if (!data.apps[a].svg) {
        graphWrap.appendChild(el("p", { cls: "sk-legend", text: "No graph drawn for this app (see the note under the app graph)." }));
      }
      var tableWrap = document.getElementById("sk-app-table-wrap");
      tableWrap.textContent = "";
      tableWrap.appendChild(appTable(a));
      if (appsViewport) Array.prototype.forEach.call(appsViewport.querySelectorAll("g.node"), function (g) {
        g.classList.toggle("sk-current", titleOf(g) === label);
      });
    }
    appView.hidden = false;
    if (scroll) appView.scrollIntoView({ block: "start" });
  }

  function appTable(a) {
    var envs = data.envs;
    var headers = [["migration", "text"], ["file:line", "text"], ["dependencies", "num"], ["operations", "num"],
      ["RunPython/RunSQL", "text"], ["findings", "text"], ["proposal", "text"]];
    envs.forEach(function (e) { headers.push([e, "text"]); });
    var thead = el("thead", null, el("tr", null));
    headers.forEach(function (h) { thead.firstChild.appendChild(el("th", { "data-kind": h[1], text: h[0] })); });
    var tbody = el("tbody");
    M.forEach(function (m, i) {
      if (m.a !== a || m.x) return;
      var fs = (findingsOf.get(i) || []).map(function (f) { return f.code; }).join(" ");
      var changes = (changeRows.get(i) || []).length;
      var prop = changes ? changes + " change" + (changes === 1 ? "" : "s") : "";
      var name = el("td", null, migLink(i));
      if (m.rb) name.appendChild(el("div", { cls: "sk-legend", text: "replaced by " + m.rb }));
      if (m.out && !m.rb) name.appendChild(el("div", { cls: "sk-legend", text: "not in the graph" }));
      var tr = el("tr", { "data-i": String(i) }, name, el("td", null, codeText(loc(m))),
        el("td", { text: String((m.d || []).length) }), el("td", { text: String(m.o || 0) }),
        el("td", { text: m.c || "" }), el("td", { text: fs }), el("td", { text: prop }));
      (m.s || []).forEach(function (s) { tr.appendChild(el("td", { cls: "sk-st-" + s, text: s === "-" ? "" : s })); });
      current.rows.set(i, tr);
      tbody.appendChild(tr);
    });
    var table = el("table", { cls: "sk-table sk-sortable", id: "sk-app-table" }, thead, tbody);
    sortable(table);
    return el("div", { cls: "sk-scroll" }, table);
  }

  // -- a migration: highlight, ancestors and descendants, details ---------------------------------------------
  function walk(start, next) {
    var seen = new Set(), stack = [start];
    while (stack.length) {
      var n = stack.pop();
      next(n).forEach(function (k) { if (!seen.has(k)) { seen.add(k); stack.push(k); } });
    }
    seen.delete(start);
    return seen;
  }
  function mark(svg, roles, edges) {
    if (!svg) return;
    svg.classList.add("sk-focus");
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var role = roles(titleOf(g));
      g.classList.remove("sk-hit", "sk-anc", "sk-desc", "sk-on");
      if (role) g.classList.add("sk-" + role, "sk-on");
    });
    Array.prototype.forEach.call(svg.querySelectorAll("g.edge"), function (g) {
      var e = g.getAttribute("data-e");
      var ends = e ? e.split(" ").map(function (n) { return M[Number(n)].k; }) : titleOf(g).split("->");
      g.classList.toggle("sk-on", ends.length === 2 && edges(ends[0], ends[1]));
    });
  }
  function byApp(set) {
    var groups = new Map();
    set.forEach(function (i) {
      var label = data.apps[M[i].a].label;
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label).push(i);
    });
    return Array.from(groups.keys()).sort().map(function (k) {
      return [k, groups.get(k).sort(function (x, y) { return M[x].k < M[y].k ? -1 : 1; })];
    });
  }
  function relatives(title, set) {
    var groups = byApp(set);
    var box = el("details", null, el("summary", { text: title + ": " + set.size + (set.size ? " in " + groups.length + " app" + (groups.length === 1 ? "" : "s") : "") }));
    box.addEventListener("toggle", function () {  // the list is written when first opened
      if (!box.open || box.childNodes.length > 1) return;
      var list = el("ul");
      groups.forEach(function (g) {
        var li = el("li", null, el("b", { text: g[0] + " (" + g[1].length + "): " }));
        g[1].forEach(function (i, n) { if (n) li.appendChild(document.createTextNode(", ")); li.appendChild(migLink(i)); });
        list.appendChild(li);
      });
      box.appendChild(list);
    });
    return box;
  }
  function depList(items) {
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(item); });
    return ul;
  }
  function details(i, anc, desc) {
    var m = M[i], panel = document.getElementById("sk-detail");
    panel.textContent = "";
    var close = el("button", { type: "button", title: "Close", text: "\u00d7", style: "float:right" });
    close.addEventListener("click", function () { panel.hidden = true; });
    panel.appendChild(close);
    panel.appendChild(el("h2", null, el("code", { cls: "sk-key", text: m.k })));
    var facts = [];
    if (file(m)) facts.push(el("span", null, "file ", codeText(loc(m))));
    if (m.x) facts.push(el("span", { text: m.x === "external" ? "an app outside the project" : "named, but no such file" }));
    if (m.o !== undefined) facts.push(el("span", { text: m.o + " operation" + (m.o === 1 ? "" : "s") + (m.c ? " (" + m.c + ")" : "") + (m.irr ? ", " + m.irr + " irreversible" : "") }));
    if (m.r) facts.push(el("span", { text: "squash of " + m.r + " migrations" }));
    if (m.rb) facts.push(el("span", { text: "replaced by " + m.rb }));
    var p = el("p");
    facts.forEach(function (f, n) { if (n) p.appendChild(document.createTextNode(" \u00b7 ")); p.appendChild(f); });
    panel.appendChild(p);
    var grid = el("div", { cls: "sk-detail-grid" });
    var declared = el("div", null, el("h3", { text: "Declared dependencies (" + (m.d || []).length + ")" }));
    declared.appendChild(depList((m.d || []).map(function (d) {
      var li = el("li");
      li.appendChild(ref(d[0]));
      if (d[1]) li.appendChild(el("span", { cls: "sk-legend", text: " line " + d[1] }));
      return li;
    })));
    grid.appendChild(declared);
    var prop = el("div", { id: "sk-detail-proposal" }, el("h3", { text: "Proposed minimal dependencies" }));
    var pr = data.proposals[String(i)];
    if (pr && pr.pr) {
      prop.appendChild(el("p", { cls: "sk-legend", text: pr.st + ": squashkit deps --diff shows the rewrite" }));
      prop.appendChild(depList(pr.pr.map(function (d) { return el("li", null, ref(d)); })));
      prop.appendChild(el("div", { cls: "sk-legend", text: "Changes:" }));
      prop.appendChild(depList((changeRows.get(i) || []).map(function (tr) {
        var action = tr.cells[2].textContent;
        return el("li", null, el("span", { cls: "sk-act-" + action, text: (action === "remove" ? "\u2212 " : "+ ") }),
          cellNodes(tr, 3), el("span", { cls: "sk-legend" }, " " + tr.cells[4].textContent + ": ", cellNodes(tr, 5)));
      })));
    } else if (data.proposals_analysed && !m.x && !m.out && !data.apps[m.a].ext) {
      prop.appendChild(el("p", { text: "Same as declared: nothing to change." }));
    } else {
      prop.appendChild(el("p", { cls: "sk-legend", text: m.x ? "Not analysed (outside the project)." : data.proposals_analysed ? "Not analysed." : "No proposals in this report." }));
    }
    grid.appendChild(prop);
    var fs = findingsOf.get(i) || [];
    var fbox = el("div", { id: "sk-detail-findings" }, el("h3", { text: "Findings (" + fs.length + ")" }));
    fbox.appendChild(fs.length ? depList(fs.map(function (f) {
      return el("li", null, el("span", { cls: "sk-sev sk-sev-" + f.sev, text: f.sev }), " " + f.code + " ",
        codeText(f.loc), el("div", null, cellNodes(findingRows.get(f.n), 4)));
    })) : el("p", { text: "None." }));
    grid.appendChild(fbox);
    var rel = el("div", null, el("h3", { text: "Ancestors and descendants" }),
      el("p", null, el("span", { cls: "sk-swatch", style: "background:#d62728;margin-left:0" }), "this migration",
        el("span", { cls: "sk-swatch", style: "background:#1f5fbf" }), "ancestors (applied before)",
        el("span", { cls: "sk-swatch", style: "background:#2ca02c" }), "descendants"),
      relatives("Ancestors", anc), relatives("Descendants", desc));
    grid.appendChild(rel);
    if (m.s && data.envs.length) {
      var env = el("div", null, el("h3", { text: "Environments" }));
      env.appendChild(depList(data.envs.map(function (e, n) {
        return el("li", null, e + ": ", el("span", { cls: "sk-st-" + m.s[n], text: m.s[n] === "-" ? "not recorded" : m.s[n] }));
      })));
      grid.appendChild(env);
    }
    panel.appendChild(grid);
    panel.hidden = false;
  }
  function select(i, scroll) {
    var m = M[i];
    var anc = walk(i, function (n) { return M[n].p; });
    var desc = walk(i, function (n) { return children[n]; });
    var role = function (key) {
      var k = byKey.get(key);
      return k === i ? "hit" : anc.has(k) ? "anc" : desc.has(k) ? "desc" : "";
    };
    var onEdge = function (a, b) { return role(a) !== "" && role(b) !== "" && (role(a) !== "anc" || role(b) !== "desc"); };
    var label = data.apps[m.a].label;
    if (!data.apps[m.a].ext) openApp(label, false);
    if (current.pz) {
      mark(current.pz.svg, role, onEdge);
      var hit = null;
      Array.prototype.forEach.call(current.pz.svg.querySelectorAll("g.node.sk-hit"), function (g) { hit = g; });
      if (hit) current.pz.show(hit);
    }
    current.rows.forEach(function (tr, k) {
      tr.classList.toggle("sk-row-hit", k === i);
      tr.classList.toggle("sk-row-rel", anc.has(k) || desc.has(k));
    });
    if (appsPZ) {
      var ancApps = new Set(), descApps = new Set();
      anc.forEach(function (k) { ancApps.add(data.apps[M[k].a].label); });
      desc.forEach(function (k) { descApps.add(data.apps[M[k].a].label); });
      var appRole = function (t) { return t === label ? "hit" : ancApps.has(t) ? "anc" : descApps.has(t) ? "desc" : ""; };
      mark(appsPZ.svg, appRole, function (a, b) { return appRole(a) !== "" && appRole(b) !== ""; });
    }
    details(i, anc, desc);
    var box = document.getElementById("sk-search");
    if (box.value !== m.k) box.value = m.k;
    hideMatches();
    if (location.hash !== "#m=" + m.k) {
      try { history.replaceState(null, "", "#m=" + m.k); } catch (err) { /* a page that cannot keep a fragment */ }
    }
    if (scroll !== false) document.getElementById("sk-detail").scrollIntoView({ block: "start" });
  }

  // -- search ------------------------------------------------------------------------------------------------
  var box = document.getElementById("sk-search");
  var matchBox = document.getElementById("sk-matches");
  var keys = M.map(function (m) { return m.k.toLowerCase(); });
  var found = [], active = 0;
  function hideMatches() { matchBox.hidden = true; matchBox.textContent = ""; found = []; }
  function candidates(q) {
    var starts = [], contains = [];
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i];
      if (k === q) return [i];
      if (k.indexOf(q) === 0 || k.indexOf("." + q) >= 0) starts.push(i);
      else if (k.indexOf(q) > 0) contains.push(i);
    }
    return starts.length ? starts : contains;
  }
  function showMatches(list, q) {
    matchBox.textContent = "";
    found = list;
    active = 0;
    if (!list.length) { matchBox.appendChild(el("div", { cls: "sk-more", text: "No migration matches " + q })); matchBox.hidden = false; return; }
    list.slice(0, 40).forEach(function (i, n) {
      var a = el("a", { href: "#", "data-key": M[i].k, cls: n === 0 ? "sk-mig sk-active" : "sk-mig", text: M[i].k });
      matchBox.appendChild(a);
    });
    if (list.length > 40) matchBox.appendChild(el("div", { cls: "sk-more", text: "\u2026 " + (list.length - 40) + " more: type more of the name" }));
    matchBox.hidden = false;
  }
  function search(enter) {
    var q = box.value.trim().toLowerCase();
    if (!q) { hideMatches(); return; }
    var list = candidates(q);
    if (list.length === 1 && (enter || keys[list[0]] === q || q.indexOf(".") > 0)) { select(list[0]); return; }
    if (enter && list.length) { select(list[Math.min(active, list.length - 1)]); return; }
    showMatches(list, q);
  }
  box.addEventListener("input", function () { search(false); });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); search(true); }
    else if (e.key === "Escape") hideMatches();
    else if ((e.key === "ArrowDown" || e.key === "ArrowUp") && found.length) {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + Math.min(found.length, 40)) % Math.min(found.length, 40);
      Array.prototype.forEach.call(matchBox.querySelectorAll("a"), function (a, n) { a.classList.toggle("sk-active", n === active); });
    }
  });

  // -- links anywhere: a.sk-mig opens a migration, a.sk-app an app ------------------------------------------
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a.sk-mig, a.sk-app") : null;
    if (!a) return;
    e.preventDefault();
    if (a.classList.contains("sk-app")) openApp(a.getAttribute("data-app"), true);
    else if (byKey.has(a.getAttribute("data-key"))) select(byKey.get(a.getAttribute("data-key")));
  });
  box.addEventListener("blur", function () { setTimeout(hideMatches, 200); });  // after a click on a match
  // report.html#m=APP.NAME opens that migration; #app=LABEL that app
  var target = decodeURIComponent(location.hash.slice(1));
  if (target.indexOf("m=") === 0 && byKey.has(target.slice(2))) select(byKey.get(target.slice(2)));
  else if (target.indexOf("app=") === 0 && appIndex.has(target.slice(4))) openApp(target.slice(4), true);
  document.documentElement.setAttribute("data-sk-ready", "1");
})();
