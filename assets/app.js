// Lookout dashboard: keeps the server-rendered page live.
//
// The server streams the page's view model (`server::page::view::PageView`) over server-sent
// events at /api/v1/live; the modules beside this one redraw what changed. The alert buttons
// call the JSON API (ack, snooze) with the header the server's CSRF guard requires.

import { renderAlerts, renderHeader } from './banner.js';
import { renderCards } from './cards.js';
import { h, setText } from './dom.js';
import { setServerNow, tick } from './format.js';

/** Alerts dismissed here whose acknowledgement the stream has not confirmed yet. */
const dismissed = new Set();
/** The latest view, to redraw after a local change. */
let last = null;

/** Posts an alert action (`ack`, `snooze`) with the header the server's CSRF guard wants. */
function post(article, action, body) {
  return fetch(`/api/v1/alerts/${encodeURIComponent(article.dataset.id)}/${action}`, {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-Requested-With': 'lookout',
    },
    body: JSON.stringify(body),
  });
}

/** Runs an action; on success the alert leaves the banner and focus stays in it. */
async function act(button, action, body) {
  const article = button.closest('.alert');
  const actions = article.querySelector('.alert-actions');
  button.disabled = true;
  actions.querySelector('.ack-error')?.remove();
  let res;
  try {
    res = await post(article, action, body);
  } catch {
    res = null;
  }
  if (res && (res.ok || res.status === 404)) {
    // Gone from the server's banner either way (404: the alert aged out meanwhile).
    dismissed.add(article.dataset.id);
    const all = [...document.querySelectorAll('#alerts .alert')];
    const next = all[all.indexOf(article) + 1] || all[all.indexOf(article) - 1];
    article.remove();
    if (next) next.querySelector('[data-ack]').focus();
    else document.getElementById('alert-count').focus();
    if (last) render(last);
    return;
  }
  if (res && res.status === 401) {
    location.assign('/login');
    return;
  }
  button.disabled = false;
  const why = res ? `Failed (${res.status}).` : 'Failed: offline.';
  actions.append(h('span', { class: 'ack-error', role: 'status', text: why }));
}

function render(v) {
  last = v;
  for (const id of dismissed) {
    if (!v.alerts.some((a) => a.id === id)) dismissed.delete(id);
  }
  renderHeader(v);
  renderAlerts(v, dismissed);
  renderCards(v);
  tick();
}

function setLive(state, text) {
  const el = document.getElementById('live');
  el.dataset.state = state;
  setText(el, text);
}

function connect() {
  if (!('EventSource' in window)) return;
  setLive('connecting', 'Connecting…');
  const es = new EventSource('/api/v1/live');
  es.addEventListener('view', (e) => {
    const v = JSON.parse(e.data);
    setServerNow(v.now);
    setLive('live', 'Live');
    render(v);
  });
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) {
      // Refused rather than dropped: a lapsed login goes back to the login page.
      setLive('offline', 'Offline — retrying');
      fetch('/api/v1/integrations', { headers: { Accept: 'application/json' } })
        .then((res) => {
          if (res.status === 401) location.assign('/login');
        })
        .catch(() => {});
      setTimeout(connect, 5000);
    } else {
      setLive('connecting', 'Reconnecting…');
    }
  });
}

function start() {
  setServerNow(document.body.dataset.now);
  document.addEventListener('click', (e) => {
    const ack = e.target.closest('button[data-ack]');
    if (ack) act(ack, 'ack', {});
    const snooze = e.target.closest('button[data-snooze]');
    if (snooze) act(snooze, 'snooze', { duration: snooze.dataset.snooze });
  });
  // The acknowledged-alerts popover closes on Escape (focus back on its toggle) or outside.
  const acked = document.getElementById('acked');
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && acked.open) {
      acked.open = false;
      acked.querySelector('summary').focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (acked.open && !acked.contains(e.target)) acked.open = false;
  });
  // The alert actions need this script; server-rendered ones wait for it.
  for (const b of document.querySelectorAll('.alert-actions button')) b.hidden = false;
  // The count is the focus target after the last alert is dismissed.
  document.getElementById('alert-count').setAttribute('tabindex', '-1');
  setInterval(tick, 1000);
  connect();
}

start();
