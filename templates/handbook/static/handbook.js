// Badges that age: the build wrote each card's verification dates on its badge (and in
// its search entry); the state is recomputed here for the day the page is read (UTC, as kb
// does), so a page built before a card expired still says "expired" on the day it does, and
// so does its search result. Evidence against a verification (needs review) is kept; with
// script off, the badge is the build day's.
var kbTrust = (function () {
  "use strict";
  // A help center's two states (core.handbook_views.PUBLIC_WORD): a current article turns stale
  // on the day it expires.
  var words = { verified: "Verified", due: "Due for review", expired: "Expired", unverified: "Unverified", "needs-review": "Needs review",
                current: "Reviewed", stale: "May be out of date" };
  var icons = { verified: "\u2714", due: "\u25F7", expired: "\u2716", unverified: "?", "needs-review": "\u2716",
                current: "\u2714", stale: "\u26A0" };
  var today = new Date().toISOString().slice(0, 10);
  function stateOn(built, expires, due) {
    if (built === "unverified" || built === "stale" || !expires) return built;
    if (today >= expires) return built === "current" ? "stale" : "expired";
    if (built === "needs-review" || built === "current") return built;
    if (due && today >= due) return "due";
    return "verified";
  }
  Array.prototype.forEach.call(document.querySelectorAll(".badge[data-trust]"), function (badge) {
    var state = stateOn(badge.getAttribute("data-trust"), badge.getAttribute("data-expires-on"), badge.getAttribute("data-due-on"));
    if (state === badge.getAttribute("data-trust") || !words[state]) return;
    badge.setAttribute("data-trust", state);
    badge.className = "badge badge-" + state;
    var icon = badge.querySelector("[aria-hidden]");
    var word = badge.querySelector(".badge-word");
    if (icon) icon.textContent = icons[state];
    if (word) word.textContent = words[state];
    badge.setAttribute("title", words[state] + " on " + today + " (page built earlier)");
    var notice = state === "stale" && badge.closest(".card-header") && document.querySelector(".stale-notice");
    if (notice) notice.hidden = false;
  });
  // The build-day states a card may have been in to be in ``state`` today: dates only move
  // a card on (verified, due, expired), and expiry overrides needs-review.
  var becomes = {
    verified: ["verified"], due: ["verified", "due"], unverified: ["unverified"],
    expired: ["verified", "due", "expired", "needs-review"], "needs-review": ["needs-review"]
  };
  return { words: words, icons: icons, stateOn: stateOn, becomes: becomes };
})();

// kb handbook search: Pagefind's JS API, one index per language merged, a delta bundle of the
// pages changed since the whole index, trust and tag filters.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var input = document.getElementById("search-input");
  var trustSelect = document.getElementById("search-trust");
  var tagSelect = document.getElementById("search-tag");
  var langSelect = document.getElementById("search-lang");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!input || !list) return;
  var words = kbTrust.words;
  var icons = kbTrust.icons;
  var pagefind = null;
  var indexes = [];  // [{index: a Pagefind bundle, drop: the ids of its entries to leave out}]
  var pending = null;
  var seq = 0;

  function siteBase() {
    return new URL(root || "./", window.location.href);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Pagefind excerpts hold <mark> around hits and are otherwise plain text: rebuild them safely.
  function excerptNode(excerpt) {
    var span = el("span", { "class": "excerpt" });
    var parts = String(excerpt || "").split(/(<mark>|<\/mark>)/);
    var marked = false;
    parts.forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      var text = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
      span.appendChild(marked ? el("mark", {}, text) : document.createTextNode(text));
    });
    return span;
  }

  // One Pagefind bundle, its other languages merged in (the page's own is its primary
  // index: Pagefind picks it as findIndex does below).
  async function openBundle(bundle, base, langs, primary) {
    var index = await import(new URL("pagefind.js", bundle).href);
    await index.options({ baseUrl: base.pathname, excerptLength: 24 });
    for (var i = 0; i < langs.length; i++) {
      if (langs[i].toLowerCase() === primary) continue;
      try { await index.mergeIndex(bundle, { language: langs[i], baseUrl: base.pathname }); } catch (e) { /* that language has no index */ }
    }
    return index;
  }

  // The language Pagefind loads first from a bundle with these {language: pages}.
  function primaryOf(languages, pageLang) {
    var names = Object.keys(languages);
    if (languages[pageLang]) return pageLang;
    if (languages[pageLang.split("-")[0]]) return pageLang.split("-")[0];
    names.sort(function (a, b) { return languages[b] - languages[a]; });
    return names[0] || pageLang;
  }

  // kb build adds the pages changed since the last whole index as a second bundle
  // (pagefind-delta/) and lists the first one's entries they supersede, or of pages
  // removed since: both are searched and those entries dropped.
  async function openDelta(base, pageLang) {
    var folder = new URL("pagefind-delta/", base);
    var info;
    try {
      // no-store, not no-cache: a rebuild within the second of the last fetch keeps the
      // file's Last-Modified (servers give whole seconds), so a revalidation answers
      // "not modified" and the browser would search without the new delta. A few bytes.
      var response = await fetch(new URL("kb-delta.json", folder).href, { cache: "no-store" });
      info = response.ok ? await response.json() : null;
    } catch (e) { info = null; }
    if (!info) return { drop: new Set() };
    var languages = info.languages || {};
    var names = Object.keys(languages);
    var delta = { drop: new Set(info.drop || []) };
    if (!names.length) return delta;
    try {
      delta.index = await openBundle(folder.href, base, names, primaryOf(languages, pageLang));
    } catch (e) { /* its pages go unfound until the next build; their old entries stay dropped */ }
    return delta;
  }

  // The values of a filter (tag, lang) on the site as it is: the delta's, and the base's
  // unless every base page that has the value is dropped (an edit took the tag away, or its
  // page was deleted). Only a value on no more base pages than the delta drops can be gone,
  // so few are checked.
  async function liveValues(name, base, delta) {
    var values = {};
    if (delta.index) {
      var added = await delta.index.filters();
      Object.keys((added && added[name]) || {}).forEach(function (v) { values[v] = true; });
    }
    var kept = await base.filters();
    var counts = (kept && kept[name]) || {};
    for (var value of Object.keys(counts)) {
      if (values[value]) continue;
      if (counts[value] > delta.drop.size) { values[value] = true; continue; }
      var filters = {};
      filters[name] = value;
      var found = await base.search(null, { filters: filters });
      if (found && found.results.some(function (r) { return !delta.drop.has(r.id); })) values[value] = true;
    }
    return Object.keys(values).sort();
  }

  // A language by its own name ("українська", "עברית"): what its readers look for.
  function languageName(code) {
    try {
      var name = new Intl.DisplayNames([code], { type: "language" }).of(code);
      return name && name !== code ? name + " (" + code + ")" : code;
    } catch (e) { return code; }
  }

  async function load() {
    var base = siteBase();
    var bundle = new URL("pagefind/", base).href;
    var pageLang = (document.documentElement.lang || "").toLowerCase();
    var langs = (body.getAttribute("data-languages") || "").split(/\s+/).filter(Boolean);
    try {
      pagefind = await openBundle(bundle, base, langs, pageLang);
    } catch (error) {
      // Browsers refuse module imports from file:// pages: the index is there, the server is not.
      status.textContent = location.protocol === "file:"
        ? "Search needs a web server: run `kb serve` in the knowledge repo, or serve this folder with any web server (python3 -m http.server)."
        : "Search is not available (the search index was not built).";
      return;
    }
    var delta = await openDelta(base, pageLang);
    indexes = [{ index: pagefind, drop: delta.drop }];
    if (delta.index) indexes.push({ index: delta.index, drop: new Set() });
    try {
      (await liveValues("tag", pagefind, delta)).forEach(function (tag) {
        tagSelect.appendChild(el("option", { value: tag }, tag));
      });
      // Pagefind merges every language's index, and each stems a query its own way (a
      // Ukrainian plural can match Russian pages first): readers pick their language here.
      var langs = await liveValues("lang", pagefind, delta);
      if (langSelect && langs.length > 1) {
        langs.forEach(function (code) {
          langSelect.appendChild(el("option", { value: code, lang: code }, languageName(code)));
        });
        langSelect.hidden = false;
      }
    } catch (e) { /* filters are optional */ }
    input.disabled = false; tagSelect.disabled = false;
    if (trustSelect) trustSelect.disabled = false;
    if (langSelect) langSelect.disabled = false;
    input.setAttribute("data-ready", "1");
    if (input.value) run();
  }

  // Every bundle's results but the dropped ones, best first.
  async function searchAll(query, filters) {
    var found = await Promise.all(indexes.map(function (each) {
      return each.index.search(query, { filters: filters });
    }));
    var results = [];
    for (var i = 0; i < found.length; i++) {
      if (!found[i]) return null;
      var drop = indexes[i].drop;
      found[i].results.forEach(function (r) { if (!drop.has(r.id)) results.push(r); });
    }
    return results.sort(function (a, b) { return b.score - a.score; });
  }

  // The trust filter in the index holds the build day's states: ask for every state that
  // may have become the wanted one since, then keep the results in it today (below).
  function currentFilters() {
    var f = {};
    if (trustSelect && trustSelect.value) f.trust = { any: kbTrust.becomes[trustSelect.value] || [trustSelect.value] };
    if (tagSelect.value) f.tag = tagSelect.value;
    if (langSelect && langSelect.value) f.lang = langSelect.value;
    return f;
  }

  function stateToday(data) {
    var meta = data.meta || {};
    return meta.trust ? kbTrust.stateOn(meta.trust, meta.expires_on, meta.due_on) : "";
  }

  // The first ``limit`` results' data in the trust state wanted today (all when none is),
  // and whether every result was looked at (the count is then exact).
  async function shownResults(found, wanted, limit) {
    if (!wanted) {
      var first = await Promise.all(found.slice(0, limit).map(function (r) { return r.data(); }));
      return { shown: first, kept: found.length, exact: true };
    }
    var shown = [];
    var kept = 0;
    var at = 0;
    while (at < found.length && shown.length < limit) {
      var chunk = await Promise.all(found.slice(at, at + limit).map(function (r) { return r.data(); }));
      at += limit;
      chunk.forEach(function (data) {
        if (stateToday(data) !== wanted) return;
        kept += 1;
        if (shown.length < limit) shown.push(data);
      });
    }
    return { shown: shown, kept: kept, exact: at >= found.length };
  }

  async function run() {
    if (!pagefind) return;
    var query = input.value.trim();
    var filters = currentFilters();
    var mine = ++seq;
    if (!query && !Object.keys(filters).length) {
      list.hidden = true; list.textContent = ""; status.textContent = "";
      return;
    }
    var found = await searchAll(query || null, filters);
    if (mine !== seq || !found) return;
    var picked = await shownResults(found, trustSelect ? trustSelect.value : "", 20);
    var results = picked.shown;
    if (mine !== seq) return;
    list.textContent = "";
    results.forEach(function (data) {
      var li = el("li", { "class": "search-result" });
      var state = stateToday(data);
      if (words[state]) {
        var badge = el("span", { "class": "badge badge-" + state, "data-trust": state });
        badge.appendChild(el("span", { "aria-hidden": "true" }, icons[state] + " "));
        badge.appendChild(document.createTextNode(words[state]));
        li.appendChild(badge);
        li.appendChild(document.createTextNode(" "));
      }
      var link = el("a", { href: data.url }, (data.meta && data.meta.title) || data.url);
      // The page's language (its lang filter): read and voiced in it, Hebrew right to left.
      var lang = data.language || (data.filters && data.filters.lang && data.filters.lang[0]);
      if (lang) { link.setAttribute("hreflang", lang); link.setAttribute("lang", lang); }
      link.setAttribute("dir", "auto");
      li.appendChild(link);
      li.appendChild(excerptNode(data.excerpt));
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    status.textContent = (picked.exact ? "" : "at least ") + picked.kept + " result" + (picked.kept === 1 ? "" : "s");
  }

  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(run, 120);
  }

  input.addEventListener("input", schedule);
  if (trustSelect) trustSelect.addEventListener("change", run);
  tagSelect.addEventListener("change", run);
  if (langSelect) langSelect.addEventListener("change", run);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      var first = list.querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
    } else if (event.key === "Escape") {
      input.value = ""; run();
    }
  });
  list.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var at = links.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" && at + 1 < links.length) { event.preventDefault(); links[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input && !event.ctrlKey && !event.metaKey) {
      var tag = (document.activeElement && document.activeElement.tagName) || "";
      if (tag !== "INPUT" && tag !== "TEXTAREA" && tag !== "SELECT") { event.preventDefault(); input.focus(); }
    }
  });
  load();
})();
