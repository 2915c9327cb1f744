// The dashboard of svctl serve. It takes the document of /api/services
// from the event stream /api/events ("full": every service; "delta": the
// services that changed, the names of those gone, and the new order when
// the names changed), or, when the stream is refused, polls /api/services
// every 2 seconds. Rows are made once per service and only their changed
// cells are written; the "For" column counts on locally every second.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const tbody = $('rows');
  const rows = new Map(); // name → row
  let offset = 0; // the server's clock minus ours, in ms
  let lastUpdate = 0; // when the last document came, our clock
  let polling = false;
  let words = [];
  let onlyProblems = false;

  const SIGNALS = ['', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
    'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD',
    'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM',
    'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];

  // STAMP is the local time that starts a log line (svctl log's format).
  const STAMP = /^\d{4}-\d\d-\d\d (\d\d:\d\d:\d\d)\.\d{6} [+-]\d{4} /;

  // set writes s into el only when it differs: unchanged cells cost nothing.
  function set(el, s) {
    if (el.textContent !== s) el.textContent = s;
  }

  function setTitle(el, s) {
    if (s) {
      if (el.title !== s) el.title = s;
    } else if (el.hasAttribute('title')) {
      el.removeAttribute('title');
    }
  }

  function duration(ms) {
    let s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + s + 's';
    return s + 's';
  }

  const pad = (n) => String(n).padStart(2, '0');

  // clock renders a time as the local HH:MM:SS, with the date when it is
  // not today.
  function clock(iso) {
    const t = new Date(iso);
    const hms = pad(t.getHours()) + ':' + pad(t.getMinutes()) + ':' + pad(t.getSeconds());
    const now = new Date(Date.now() + offset);
    if (t.toDateString() === now.toDateString()) return hms;
    return t.getFullYear() + '-' + pad(t.getMonth() + 1) + '-' + pad(t.getDate()) + ' ' + hms;
  }

  function fromState(s) { return s.source === 'state.json'; }

  // kind is a service's state for colours, counts and the filter.
  function kind(s) {
    if (!s.supervised) return 'unsupervised';
    if (!s.source) return 'unknown';
    return s.state;
  }

  function stateWord(s) {
    const k = kind(s);
    if (k === 'unsupervised') return 'not supervised';
    return k;
  }

  function stateDetail(s) {
    if (!s.supervised) return '';
    if (!s.source) return s.error || '';
    const parts = [];
    if (s.paused && s.pid) parts.push('paused');
    if (s.state === 'up' && s.want === 'down') parts.push('want down');
    if (s.state !== 'up' && s.state !== 'backoff' && s.want === 'up') parts.push('want up');
    if (s.backoff_until) parts.push('until ' + clock(s.backoff_until));
    if (s.status_text != null) parts.push('“' + s.status_text + '”');
    return parts.join(', ');
  }

  function lastExit(s) {
    const e = s.last_exit;
    if (!e) return s.source && !fromState(s) ? '—' : '';
    let what = 'unknown';
    if (e.code != null) what = 'exit ' + e.code;
    else if (e.signal != null) what = (SIGNALS[e.signal] || 'signal ' + e.signal) + (e.core ? ' (core dumped)' : '');
    return what + ' at ' + clock(e.at);
  }

  function ready(s) {
    if (!s.supervised || !s.source || s.state !== 'up') return '';
    if (!fromState(s)) return '—';
    return s.ready ? 'ready' : 'not ready';
  }

  function loggerText(l) {
    if (!l) return 'none';
    const w = stateWord(l);
    return l.supervised && l.source && l.pid ? w + ' (pid ' + l.pid + ')' : w;
  }

  // problem: what an operator should look at.
  function problem(s) {
    const k = kind(s);
    if (k === 'unsupervised' || k === 'unknown' || k === 'backoff' || k === 'failed') return true;
    if (s.start_error) return true;
    if (s.want === 'up' && k !== 'up') return true;
    if (k === 'up' && fromState(s) && !s.ready) return true;
    const l = s.logger;
    return !!l && (kind(l) !== 'up' || (fromState(l) && !l.ready));
  }

  function cell(tr, cls) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    tr.append(td);
    return td;
  }

  function makeRow(name) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = name;
    tr.append(th);
    const r = { name, lname: name.toLowerCase(), tr, json: '', logText: null, since: 0, tokens: [], problem: false };
    r.state = cell(tr, 'state');
    r.stateWord = document.createElement('span');
    r.stateWord.className = 'word';
    r.stateDetail = document.createElement('span');
    r.stateDetail.className = 'detail';
    r.state.append(r.stateWord, r.stateDetail);
    r.pid = cell(tr, 'num');
    r.for = cell(tr, 'num');
    r.ready = cell(tr, 'nowrap');
    r.restarts = cell(tr, 'num');
    r.exit = cell(tr, 'nowrap');
    r.error = cell(tr, 'error');
    r.normally = cell(tr);
    r.logger = cell(tr, 'nowrap');
    r.log = cell(tr, 'log');
    r.details = document.createElement('details');
    r.summary = document.createElement('summary');
    r.pre = document.createElement('pre');
    r.details.append(r.summary, r.pre);
    r.logError = document.createElement('span');
    r.logError.className = 'error';
    r.log.append(r.details, r.logError);
    return r;
  }

  function update(r, s) {
    r.data = s;
    const k = kind(s);
    r.tr.dataset.state = k;
    r.problem = problem(s);
    r.tr.classList.toggle('problem', r.problem);
    set(r.stateWord, stateWord(s));
    set(r.stateDetail, stateDetail(s));
    set(r.pid, s.supervised && s.pid ? String(s.pid) : '');
    r.since = s.supervised && s.source ? Date.parse(s.since) : 0;
    setTitle(r.for, r.since ? 'since ' + clock(s.since) : '');
    set(r.ready, ready(s));
    setTitle(r.ready, s.ready_since && fromState(s) ? 'ready since ' + clock(s.ready_since) : '');
    set(r.restarts, s.supervised && s.source ? (fromState(s) ? String(s.restarts) : '—') : '');
    set(r.exit, s.supervised ? lastExit(s) : '');
    set(r.error, s.start_error || '');
    set(r.normally, s.source ? s.normally : '');
    set(r.logger, loggerText(s.logger));
    r.logger.dataset.state = s.logger ? kind(s.logger) : 'none';
    const lines = s.log || [];
    const text = lines.join('\n');
    if (text !== r.logText) {
      r.logText = text;
      // The last line, its time as HH:MM:SS: the lines below have it all.
      const last = lines.length ? lines[lines.length - 1].replace(STAMP, '$1 ') : s.logger ? '(empty)' : '—';
      set(r.summary, last);
      set(r.pre, text);
    }
    r.details.hidden = !s.log;
    set(r.logError, s.log_error || '');
    // The filter's words: the name matches anywhere, these at their start.
    r.tokens = (stateWord(s) + ' ' + stateDetail(s) + (r.problem ? ' problem' : '')).toLowerCase()
      .split(/[\s,“”]+/).filter(Boolean);
    r.tokens.push('logger:' + (s.logger ? stateWord(s.logger) : 'none').replace(' ', '-'));
    tickRow(r, Date.now() + offset);
  }

  function tickRow(r, now) {
    set(r.for, r.since ? duration(now - r.since) : '');
  }

  function upsert(s) {
    const json = JSON.stringify(s);
    let r = rows.get(s.name);
    if (!r) {
      r = makeRow(s.name);
      rows.set(s.name, r);
      tbody.append(r.tr);
    } else if (r.json === json) {
      return r;
    }
    r.json = json;
    update(r, s);
    return r;
  }

  function remove(name) {
    const r = rows.get(name);
    if (r) {
      r.tr.remove();
      rows.delete(name);
    }
  }

  function reorder(names) {
    for (const n of names) {
      const r = rows.get(n);
      if (r) tbody.append(r.tr);
    }
  }

  function matches(r) {
    if (onlyProblems && !r.problem) return false;
    for (const w of words) {
      const neg = w.startsWith('!');
      const term = neg ? w.slice(1) : w;
      if (term && (r.lname.includes(term) || r.tokens.some((t) => t.startsWith(term))) === neg) return false;
    }
    return true;
  }

  function filter(only) {
    for (const r of only || rows.values()) r.tr.hidden = !matches(r);
    let shown = 0;
    for (const r of rows.values()) if (!r.tr.hidden) shown++;
    set($('shown'), shown === rows.size ? '' : shown + ' of ' + rows.size + ' shown');
  }

  function summarize() {
    const n = {};
    let problems = 0;
    for (const r of rows.values()) {
      const k = kind(r.data);
      n[k] = (n[k] || 0) + 1;
      if (r.problem) problems++;
    }
    const parts = [];
    for (const [k, label] of [['up', 'up'], ['down', 'down'], ['stopping', 'stopping'], ['finishing', 'finishing'],
      ['backoff', 'in backoff'], ['failed', 'failed'], ['unsupervised', 'not supervised'], ['unknown', 'unknown']]) {
      if (n[k]) parts.push(n[k] + ' ' + label);
    }
    const total = rows.size + (rows.size === 1 ? ' service' : ' services');
    set($('summary'), total + (parts.length ? ': ' + parts.join(', ') : '') +
      (problems ? '; ' + problems + (problems === 1 ? ' needs' : ' need') + ' attention' : ''));
  }

  function header(doc) {
    offset = Date.parse(doc.time) - Date.now();
    lastUpdate = Date.now();
    const title = doc.host ? 'Services on ' + doc.host : 'Services';
    if (document.title !== title) document.title = title;
    set($('title'), title);
    set($('scandirs'), doc.scan.map((d) => d.dir).join(' '));
    const errs = doc.scan.filter((d) => d.error).map((d) => d.dir + ': ' + d.error).join('\n');
    const box = $('scan-errors');
    set(box, errs);
    box.hidden = !errs;
    $('services').setAttribute('aria-busy', 'false');
  }

  function applyFull(doc) {
    header(doc);
    const seen = new Set();
    for (const s of doc.services) {
      upsert(s);
      seen.add(s.name);
    }
    for (const name of [...rows.keys()]) if (!seen.has(name)) remove(name);
    reorder(doc.services.map((s) => s.name));
    summarize();
    filter();
  }

  function applyDelta(doc) {
    header(doc);
    const touched = doc.changed.map(upsert);
    for (const name of doc.removed) remove(name);
    if (doc.order) reorder(doc.order);
    summarize();
    filter(touched);
  }

  function status(text) { set($('conn'), text); }

  function connect() {
    const es = new EventSource('/api/events');
    es.addEventListener('full', (e) => { applyFull(JSON.parse(e.data)); status('live'); });
    es.addEventListener('delta', (e) => { applyDelta(JSON.parse(e.data)); status('live'); });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        poll();
      } else {
        status('reconnecting…');
      }
    };
  }

  // poll is the fallback when the server refuses a stream (it has too many).
  function poll() {
    if (polling) return;
    polling = true;
    const once = async () => {
      try {
        const res = await fetch('/api/services', { cache: 'no-store' });
        if (!res.ok) throw new Error(res.status + ' ' + res.statusText);
        applyFull(await res.json());
        status('polling every 2 s');
      } catch (err) {
        status('server unreachable: ' + err.message);
      }
      setTimeout(once, 2000);
    };
    once();
  }

  function tick() {
    const now = Date.now() + offset;
    for (const r of rows.values()) if (!r.tr.hidden) tickRow(r, now);
    const age = Date.now() - lastUpdate;
    if (lastUpdate && age > 5000) status('no update for ' + duration(age));
  }

  let debounce = 0;
  $('filter').addEventListener('input', (e) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      words = e.target.value.toLowerCase().split(/\s+/).filter(Boolean);
      filter();
    }, 80);
  });
  $('problems').addEventListener('change', (e) => {
    onlyProblems = e.target.checked;
    filter();
  });
  setInterval(tick, 1000);
  if (window.EventSource) connect(); else poll();
})();
