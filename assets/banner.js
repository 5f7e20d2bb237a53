// The header bar and the alert banner, redrawn from each live view. Mirrors
// templates/page.html and templates/alert.html.

import { clip, h, icon, place, setText } from './dom.js';
import { timeEl } from './format.js';

/** Alerts shown before "+N more". */
const BANNER_SHOWN = 3;

export function renderHeader(v) {
  const n = v.alerts.length;
  document.title = n ? `(${n}) ${v.title}` : v.title;
  setText(document.getElementById('page-title'), v.title);
  const count = document.getElementById('alert-count');
  count.className = `count ${n ? 'count-alert' : 'count-clear'}`;
  setText(count, n === 0 ? 'No active alerts' : n === 1 ? '1 active alert' : `${n} active alerts`);

  const health = document.getElementById('health');
  health.replaceChildren(
    ...v.integrations.map((i) =>
      h(
        'li',
        { class: `pill health-${i.health}`, title: `Integration ${i.id}: ${i.health}` },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        i.id,
        h('span', { class: 'pill-state', text: i.health }),
      ),
    ),
  );

  const acked = document.getElementById('acked');
  acked.hidden = v.acknowledged.length === 0;
  setText(document.getElementById('acked-summary'), v.acknowledged_summary);
  document.getElementById('acked-list').replaceChildren(
    ...v.acknowledged.map((a) =>
      h(
        'li',
        { class: `sev-${a.severity}` },
        h('span', { class: 'sev-dot', 'aria-hidden': 'true' }),
        clip(a.title, 'clip'),
        a.snoozed ? h('span', { class: 'state state-acked', text: 'Snoozed' }) : null,
        timeEl(a.last_seen),
      ),
    ),
  );
}

function alertNode(a) {
  const facts = [];
  const fact = (label, dd, cls) => facts.push(h('div', { class: cls }, h('dt', { text: label }), dd));
  if (a.source) fact('Source', clip(a.source, 'mono', 'dd'));
  if (a.ips.length) {
    fact('Sources', h('dd', { class: 'mono' }, a.ips.map((ip) => clip(ip, 'chip')), more(a.ips_more)));
  }
  fact('Failures', h('dd', { class: 'num', text: a.failures }));
  if (a.usernames.length) {
    fact('Usernames tried', h('dd', {}, a.usernames.map((u) => clip(u, 'chip')), more(a.usernames_more)), 'fact-wide');
  }
  fact('First seen', h('dd', {}, timeEl(a.first_seen)));
  fact('Last seen', h('dd', {}, timeEl(a.last_seen)));

  return h(
    'article',
    { class: `alert sev-${a.severity}`, role: 'alert', 'data-id': a.id, 'data-rev': a.rev },
    h('div', { class: 'alert-sev' }, icon('warn'), h('span', { text: a.severity_text })),
    h(
      'div',
      { class: 'alert-main' },
      h(
        'p',
        { class: 'alert-head' },
        clip(a.title, 'alert-title', 'strong'),
        h('span', { class: 'tag', text: a.kind }),
        a.labels.map((l) => h('span', { class: 'tag tag-label', text: l })),
        stateTag(a.ongoing),
      ),
      clip(a.message, 'alert-msg', 'p'),
      h('dl', { class: 'facts' }, facts),
    ),
    h(
      'div',
      { class: 'alert-actions' },
      h('button', { type: 'button', class: 'btn', 'data-ack': true, 'aria-label': `Dismiss alert: ${a.title.text}`, text: 'Dismiss' }),
      h('button', { type: 'button', class: 'btn btn-quiet', 'data-snooze': '1h', 'aria-label': a.snooze_label, text: 'Snooze 1 h' }),
    ),
  );
}

function more(n) {
  return n > 0 ? [' ', h('span', { class: 'muted', text: `+${n} more` })] : null;
}

export function stateTag(ongoing) {
  return ongoing
    ? h('span', { class: 'state state-ongoing', text: 'Ongoing' })
    : h('span', { class: 'state state-ended', text: 'Ended' });
}

/**
 * Redraws only alerts whose `rev` changed, so screen readers hear each alert once. Alerts in
 * `skip` were just dismissed here and wait for the server to confirm.
 */
export function renderAlerts(v, skip) {
  const alerts = v.alerts.filter((a) => !skip.has(a.id));
  const section = document.getElementById('alerts');
  const first = document.getElementById('alert-list');
  const extra = document.getElementById('alert-extra');
  const pool = new Map();
  for (const el of [...first.children, ...extra.children]) pool.set(el.dataset.id, el);
  const nodes = alerts.map((a) => {
    let el = pool.get(a.id);
    pool.delete(a.id);
    if (!el || el.dataset.rev !== a.rev) {
      const fresh = alertNode(a);
      if (el) {
        const hadFocus = el.contains(document.activeElement);
        el.replaceWith(fresh);
        if (hadFocus) fresh.querySelector('button').focus();
      }
      el = fresh;
    }
    return el;
  });
  for (const el of pool.values()) el.remove();
  place(first, nodes.slice(0, BANNER_SHOWN));
  place(extra, nodes.slice(BANNER_SHOWN));
  const rest = Math.max(0, nodes.length - BANNER_SHOWN);
  const moreBox = document.getElementById('alerts-more');
  moreBox.hidden = rest === 0;
  setText(moreBox.querySelector('summary'), rest ? `+${rest} more` : '');
  section.hidden = nodes.length === 0;
}
