// Gazouille: keyboard shortcuts, compose counter and autocompletion. The pages work without it.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

  // Submit a select's form on change (the language switch).
  document.addEventListener("change", (e) => {
    if (e.target.matches("select[data-autosubmit]")) e.target.form.requestSubmit();
  });

  // Ask before destructive actions.
  document.addEventListener("submit", (e) => {
    const msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  document.addEventListener("click", (e) => {
    const opener = e.target.closest("[data-open-dialog]");
    if (opener) { document.getElementById(opener.getAttribute("data-open-dialog"))?.showModal(); return; }
    const suggestion = e.target.closest("[data-set-audience]");
    if (suggestion) {
      const select = suggestion.form?.querySelector("select[name=audience]") ?? document.getElementById("compose-audience");
      if (select) { select.value = suggestion.dataset.setAudience; select.dispatchEvent(new Event("change", { bubbles: true })); select.focus(); }
      return;
    }
    const compose = e.target.closest("[data-compose]");
    if (compose && focusCompose()) e.preventDefault();
  });

  function focusCompose() {
    const box = $("#compose-text");
    if (!box) return false;
    box.scrollIntoView({ block: "center" });
    box.focus();
    return true;
  }

  // Timeline shortcuts: j/k move between posts, n writes, o opens, / searches, ? helps.
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.metaKey) return;
    if (e.ctrlKey && e.key === "Enter" && e.target.matches("textarea")) {
      e.preventDefault();
      e.target.form?.requestSubmit();
      return;
    }
    if (e.ctrlKey || typing(e.target)) return;
    const posts = $$("article.status");
    const current = document.activeElement?.closest?.("article.status");
    switch (e.key) {
      case "j":
      case "k": {
        if (!posts.length) return;
        let i = current ? posts.indexOf(current) : -1;
        i = e.key === "j" ? Math.min(i + 1, posts.length - 1) : Math.max(i - 1, 0);
        posts[i].focus();
        posts[i].scrollIntoView({ block: "nearest" });
        e.preventDefault();
        break;
      }
      case "n":
        e.preventDefault();
        if (!focusCompose()) location.href = "/web/compose";
        break;
      case "o":
      case "Enter":
        if (current && document.activeElement === current && current.dataset.href) { location.href = current.dataset.href; e.preventDefault(); }
        break;
      case "/": {
        const box = $("#search-q") || $("#site-search");
        if (box) { box.focus(); box.select(); e.preventDefault(); }
        break;
      }
      case "?":
        $("#shortcuts")?.showModal();
        e.preventDefault();
        break;
    }
  });

  // Characters left, counted as people see them (one emoji = one character).
  const graphemes = typeof Intl.Segmenter === "function" ? new Intl.Segmenter() : null;
  const length = (text) => graphemes ? [...graphemes.segment(text)].length : [...text].length;
  function updateCounter(area) {
    const counter = area.form?.querySelector(".counter");
    if (!counter) return;
    const left = Number(area.dataset.max || 500) - length(area.value);
    counter.textContent = (counter.dataset.label || "{0}").replace("{0}", left.toLocaleString(document.documentElement.lang));
    counter.classList.toggle("over", left < 0);
  }

  // Mentions and hashtags: suggestions from the server as the author types @… or #….
  let timer = 0;
  let active = -1;
  async function suggest(area) {
    const list = document.getElementById(area.dataset.suggestions);
    if (!list) return;
    const before = area.value.slice(0, area.selectionStart);
    const m = /(^|\s)([@#][\p{L}\p{N}_.-]{1,30})$/u.exec(before);
    if (!m) return close(area, list);
    const res = await fetch(`${area.dataset.autocomplete}?q=${encodeURIComponent(m[2])}`, { headers: { Accept: "application/json" } });
    if (!res.ok) return close(area, list);
    const items = await res.json();
    if (!items.length) return close(area, list);
    list.replaceChildren(...items.map((it, i) => {
      const li = document.createElement("li");
      li.id = `suggestion-${i}`;
      li.setAttribute("role", "option");
      li.dataset.value = it.value;
      li.textContent = it.label;
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(area, list, li); });
      return li;
    }));
    active = 0;
    mark(area, list);
    list.hidden = false;
    area.dataset.open = "true";
    const status = document.getElementById(`${list.id}-status`);
    if (status) status.textContent = (status.dataset.label || "{0}").replace("{0}", items.length);
  }
  function mark(area, list) {
    $$("li", list).forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    const status = document.getElementById(`${list.id}-status`);
    if (status && active >= 0) status.textContent = $$("li", list)[active].textContent;
  }
  function close(area, list) {
    list.hidden = true;
    active = -1;
    delete area.dataset.open;
  }
  function pick(area, list, li) {
    const pos = area.selectionStart;
    const before = area.value.slice(0, pos).replace(/[@#][\p{L}\p{N}_.-]{1,30}$/u, li.dataset.value + " ");
    area.value = before + area.value.slice(pos);
    area.selectionStart = area.selectionEnd = before.length;
    close(area, list);
    updateCounter(area);
  }

  document.addEventListener("input", (e) => {
    const area = e.target;
    if (!area.matches("textarea[data-max]")) return;
    updateCounter(area);
    if (area.dataset.autocomplete) {
      clearTimeout(timer);
      timer = setTimeout(() => suggest(area), 150);
    }
  });
  document.addEventListener("keydown", (e) => {
    const area = e.target;
    if (!area.matches?.("textarea[data-autocomplete]") || area.dataset.open !== "true") return;
    const list = document.getElementById(area.dataset.suggestions);
    const items = $$("li", list);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      mark(area, list);
      e.preventDefault();
    } else if ((e.key === "Enter" || e.key === "Tab") && active >= 0 && !e.ctrlKey) {
      pick(area, list, items[active]);
      e.preventDefault();
    } else if (e.key === "Escape") {
      close(area, list);
      e.preventDefault();
    }
  }, true);

  // The "N new posts" banner asks every 20 s while the live stream is not on. (This test lives here, not in an
  // hx-trigger filter, because htmx evaluates filters as code and the Content-Security-Policy forbids eval.)
  setInterval(() => {
    const banner = $("#new-posts[data-poll]");
    if (banner && window.htmx && document.body.dataset.liveState !== "on" && !document.hidden) htmx.trigger(banner, "gazouille:refresh");
  }, 20000);

  // Live: the server's event stream (the user stream, with the session cookie) says when a post or a notification
  // arrives; the "N new posts" banner and the badge then refresh from the server, so nothing on screen moves. After a
  // network loss EventSource reconnects (we retry if it gives up) and both refresh, which fetches whatever was missed.
  // Without EventSource, or while the stream is down, the banner keeps polling (see the interval above).
  const liveUrl = document.body.dataset.live;
  if (liveUrl && typeof EventSource === "function" && window.htmx) {
    const later = (fn) => { let t; return () => { clearTimeout(t); t = setTimeout(fn, 250); }; };
    const refreshPosts = later(() => { const b = $("#new-posts"); if (b) htmx.trigger(b, "gazouille:refresh"); });
    const refreshBadge = later(() => { const b = $("#notification-badge"); if (b) htmx.trigger(b, "gazouille:refresh"); });
    let wait = 2000;
    const connect = () => {
      const source = new EventSource(liveUrl);
      source.addEventListener("open", () => {
        if (document.body.dataset.liveState === "lost") { refreshPosts(); refreshBadge(); }
        document.body.dataset.liveState = "on";
        wait = 2000;
      });
      source.addEventListener("update", refreshPosts);
      source.addEventListener("notification", refreshBadge);
      source.addEventListener("error", () => {
        document.body.dataset.liveState = "lost";
        if (source.readyState === EventSource.CLOSED) {
          setTimeout(connect, wait);
          wait = Math.min(wait * 2, 60000);
        }
      });
    };
    // Opened once the page has loaded: a stream that never ends must not count as part of loading the page (the
    // browser's spinner, and anything waiting for the load event, would wait on it).
    if (document.readyState === "complete") connect();
    else window.addEventListener("load", () => setTimeout(connect, 0), { once: true });
  }
})();
