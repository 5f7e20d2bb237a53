// The cards, redrawn from each live view: only a card whose `rev` changed is rebuilt, while
// freshness ticks in place. Mirrors templates/card.html and templates/chart.html.

import { stateTag } from './banner.js';
import { clip, h, icon, place, svg } from './dom.js';
import { group, timeEl } from './format.js';

function cardNode(c) {
  const el = h('section', {
    id: c.dom_id,
    'data-key': c.key,
    'aria-labelledby': `${c.dom_id}-h`,
  });
  el.append(
    h(
      'header',
      { class: 'card-head' },
      h('h2', { id: `${c.dom_id}-h`, text: c.title }),
      h('span', { class: 'card-src', text: c.integration }),
      h('span', { class: 'fresh' }),
    ),
    h('div', { class: 'card-body' }),
  );
  return el;
}

function updateCard(el, c) {
  el.className = `card card-${c.widget} state-${c.state}`;
  const fresh = el.querySelector('.fresh');
  const freshKey = `${c.state}|${c.updated_at}`;
  if (fresh.dataset.key !== freshKey) {
    fresh.dataset.key = freshKey;
    fresh.replaceChildren(
      ...(c.updated_at
        ? ['updated ', timeEl(c.updated_at)]
        : [c.state === 'failing' ? 'no data yet' : 'waiting']),
    );
  }
  if (el.dataset.rev === c.rev) return;
  el.dataset.rev = c.rev;
  el.querySelector('.notice')?.remove();
  if (c.error) el.querySelector('.card-head').after(noticeNode(c));
  el.querySelector('.card-body').replaceChildren(...bodyNodes(c));
}

function noticeNode(c) {
  const stale = c.state === 'stale';
  return h(
    'div',
    { class: `notice notice-${c.state}` },
    icon('warn'),
    h(
      'p',
      {},
      h('strong', { text: stale ? 'Stale' : 'Refresh failing' }),
      c.error_class ? [' ', h('span', { class: 'tag', text: c.error_class })] : null,
      ' ',
      clip(c.error, 'notice-text'),
      stale && c.updated_at
        ? [' ', h('span', { class: 'muted' }, 'Showing data from ', timeEl(c.updated_at), '.')]
        : null,
    ),
  );
}

function bodyNodes(c) {
  const b = c.body;
  if (!b) {
    return c.state === 'failing'
      ? [h('p', { class: 'empty', text: 'No data yet: the first refresh has not succeeded.' })]
      : [
          h(
            'div',
            { class: 'waiting', role: 'status' },
            h('span', { class: 'spinner', 'aria-hidden': 'true' }),
            'Waiting for first refresh…',
          ),
        ];
  }
  switch (b.kind) {
    case 'stat':
      return [
        h('p', { class: 'stat-value', text: group(b.value) }),
        h(
          'dl',
          { class: 'stats' },
          b.stats.map((s) => h('div', {}, clip(s.label, null, 'dt'), h('dd', { text: group(s.value) }))),
        ),
        b.who && b.who.length ? whoNode(b.who) : null,
      ].filter(Boolean);
    case 'logins':
      return [b.chart ? chartNode(b.chart) : null, loginsNode(b.rows)].filter(Boolean);
    case 'alerts':
      return [alertRows(b.alerts)];
    default:
      return b.items.length
        ? [h('ul', { class: 'items' }, b.items.map((i) => clip(i, 'clip', 'li')))]
        : [h('p', { class: 'empty', text: 'Nothing to show.' })];
  }
}

function whoNode(rows) {
  return h(
    'ul',
    { class: 'who', 'aria-label': 'Most recently used' },
    rows.map((w) => {
      const where = [w.place ? w.place.text : null, w.ip ? w.ip.text : null].filter(Boolean).join(' · ');
      return h(
        'li',
        {},
        clip(w.user, 'clip who-user'),
        h('span', { class: 'clip who-where', title: w.ip ? (w.ip.full || w.ip.text) : '', text: where }),
        w.at ? timeEl(w.at) : null,
      );
    }),
  );
}

function loginsNode(rows) {
  if (!rows.length) return h('p', { class: 'empty', text: 'No logins in the last 24 hours.' });
  const dash = () => h('span', { class: 'muted', text: '—' });
  const th = (text, cls) => h('th', { scope: 'col', class: cls, text });
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'logins' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col', class: 'col-res' }, h('span', { class: 'res-text', text: 'Result' })), th('User'), th('IP', 'col-ip'), th('Location', 'col-place'), th('When', 'col-when')),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { class: r.success ? 'row-ok' : 'row-fail' },
            h(
              'td',
              { class: 'col-res' },
              r.success
                ? h('span', { class: 'res res-ok' }, icon('check'), h('span', { class: 'res-text', text: 'OK' }))
                : h('span', { class: 'res res-fail' }, icon('cross'), h('span', { class: 'res-text', text: 'Failed' })),
            ),
            h('td', { class: 'col-user' }, clip(r.username, 'clip user'), r.user_agent ? clip(r.user_agent, 'clip ua') : null),
            h('td', { class: 'col-ip' }, r.ip ? clip(r.ip, 'clip mono') : dash()),
            h('td', { class: 'col-place' }, r.place ? clip(r.place, 'clip') : dash()),
            h('td', { class: 'col-when' }, r.at ? timeEl(r.at) : dash()),
          ),
        ),
      ),
    ),
  );
}

function chartNode(ch) {
  const t = ch.threshold;
  const key = (cls) => h('span', { class: `key ${cls}`, 'aria-hidden': 'true' });
  const drawing = svg(
    'svg',
    { class: 'chart-svg', viewBox: `0 0 ${ch.width} ${ch.height}`, preserveAspectRatio: 'none', role: 'img' },
    svg('title', { text: ch.summary }),
    svg('line', { class: 'axis', x1: 0, x2: ch.width, y1: ch.mid, y2: ch.mid, 'vector-effect': 'non-scaling-stroke' }),
    ch.buckets.map((b) =>
      svg(
        'g',
        { class: 'bucket' },
        svg('title', { text: b.title }),
        svg('rect', { class: 'hit', x: b.x, y: 0, width: b.w, height: ch.height }),
        b.ok_h > 0 ? svg('rect', { class: 'bar-ok', x: b.x, y: b.ok_y, width: b.w, height: b.ok_h }) : null,
        b.failed_h > 0 ? svg('rect', { class: 'bar-fail', x: b.x, y: ch.mid, width: b.w, height: b.failed_h }) : null,
      ),
    ),
    t
      ? svg(
          'line',
          { class: 'threshold', x1: 0, x2: ch.width, y1: t.y, y2: t.y, 'vector-effect': 'non-scaling-stroke' },
          svg('title', { text: t.title }),
        )
      : null,
  );
  const label = t
    ? svg(
        'svg',
        { class: 'chart-label', viewBox: `0 0 320 ${ch.height}`, preserveAspectRatio: 'xMinYMin meet', 'aria-hidden': 'true' },
        svg('text', { x: 6, y: t.y - 4, text: t.label }),
      )
    : null;
  return h(
    'figure',
    { class: 'chart' },
    h(
      'figcaption',
      { class: 'chart-head' },
      h('span', { class: 'chart-title' }, 'Last 24 h ', h('span', { class: 'muted', text: `· ${ch.bucket} buckets` })),
      h(
        'span',
        { class: 'legend' },
        key('key-ok'),
        'Successful ',
        h('b', { text: group(ch.ok_total) }),
        key('key-fail'),
        'Failed ',
        h('b', { text: group(ch.failed_total) }),
        t ? [key('key-thr'), h('span', { title: t.title, text: 'Threshold' })] : null,
      ),
    ),
    h('div', { class: 'chart-box' }, drawing, label),
    h(
      'div',
      { class: 'chart-axis', 'aria-hidden': 'true' },
      ['24 h ago', '18 h', '12 h', '6 h', 'now'].map((s) => h('span', { text: s })),
    ),
  );
}

function alertRows(alerts) {
  if (!alerts.length) {
    return h('p', { class: 'empty empty-ok' }, icon('check'), 'No attacks detected in the lookback window.');
  }
  return h(
    'ul',
    { class: 'alert-rows' },
    alerts.map((a) =>
      h(
        'li',
        { class: `sev-${a.severity}${a.acknowledged || a.snoozed ? ' is-acked' : ''}` },
        h('span', { class: 'sev-dot', 'aria-hidden': 'true' }),
        h(
          'span',
          { class: 'row-main' },
          clip(a.title, 'clip row-title'),
          h(
            'span',
            { class: 'row-meta' },
            h('span', { class: 'sr-only', text: `${a.severity_text}. ` }),
            a.source ? [clip(a.source, 'mono clip'), ' · '] : null,
            `${a.failures} failures · `,
            timeEl(a.last_seen),
          ),
        ),
        h(
          'span',
          { class: 'row-tags' },
          stateTag(a.ongoing),
          a.acknowledged
            ? h('span', { class: 'state state-acked', text: 'Dismissed' })
            : a.snoozed
              ? h('span', { class: 'state state-acked', text: 'Snoozed' })
              : null,
        ),
      ),
    ),
  );
}

export function renderCards(v) {
  const main = document.getElementById('main');
  const nodes = v.cards.map((c) => {
    let el = document.getElementById(c.dom_id);
    if (!el || el.tagName !== 'SECTION') el = cardNode(c);
    updateCard(el, c);
    return el;
  });
  place(main, nodes);
}
