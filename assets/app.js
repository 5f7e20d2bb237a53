// Lookout dashboard: keeps the server-rendered page live.
//
// The server streams the page's view model (`server::page::view::PageView`) over server-sent
// events at /api/v1/live; this script redraws what changed, mirroring templates/*.html.
// Every string in the view may come from an attacker (a failed login's username is whatever
// was typed), so the DOM is built with createElement/textContent/setAttribute only: no
// innerHTML, no inline style (the page runs under a strict CSP).
'use strict';

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const BANNER_SHOWN = 3;
  const ICON = {
    check: ['m3 8.5 3.2 3L13 4.5'],
    cross: ['m4 4 8 8M12 4l-8 8'],
    warn: ['M8 1.5 15 14H1z', 'M8 6v3.5M8 11.5v.5'],
  };

  /** Server time minus browser time, so "3 min ago" is right on a skewed client. */
  let skew = 0;
  /** Alerts dismissed here whose acknowledgement the stream has not confirmed yet. */
  const dismissed = new Set();

  // ---- DOM building -------------------------------------------------------------------

  /** An element with attributes (`text` sets textContent) and children (strings become text). */
  function h(tag, attrs, ...children) {
    return build(document.createElement(tag), attrs, children);
  }

  function svg(tag, attrs, ...children) {
    return build(document.createElementNS(SVG_NS, tag), attrs, children);
  }

  function build(el, attrs, children) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
    }
    return el;
  }

  function icon(name, cls) {
    const paths = ICON[name].map((d, i) => svg('path', { d, class: i ? 'icon-cut' : null }));
    return svg('svg', { class: cls || 'icon', viewBox: '0 0 16 16', 'aria-hidden': 'true' }, paths);
  }

  /** A clipped upstream string: its text, with the full value as a tooltip. */
  function clip(c, cls, tag) {
    return h(tag || 'span', { class: cls, title: c.full || c.text, text: c.text });
  }

  // ---- Formatting (mirrors src/server/page/text.rs) ------------------------------------

  const now = () => Date.now() + skew;

  /** Epoch ms of an RFC 3339 time; the server may send nanoseconds, Date wants milliseconds. */
  function parse(t) {
    return Date.parse(String(t).replace(/(\.\d{3})\d+/, '$1'));
  }

  function ago(iso) {
    const s = Math.floor((now() - parse(iso)) / 1000);
    if (s < 5) return 'just now';
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.floor(s / 60)} min ago`;
    if (s < 86400) return `${Math.floor((s + 1800) / 3600)} h ago`;
    return `${Math.floor((s + 43200) / 86400)} d ago`;
  }

  function iso(t) {
    return new Date(parse(t)).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  function exact(t) {
    return iso(t).replace('T', ' ').replace('Z', ' UTC');
  }

  function group(n) {
    return Number(n).toLocaleString('en-US');
  }

  function timeEl(t) {
    return h('time', { datetime: iso(t), title: exact(t), 'data-rel': true, text: ago(t) });
  }

  /** Keeps every relative time ticking. */
  function tick() {
    for (const el of document.querySelectorAll('time[data-rel]')) {
      const text = ago(el.getAttribute('datetime'));
      if (el.textContent !== text) el.textContent = text;
    }
  }

  // ---- Header --------------------------------------------------------------------------

  function renderHeader(v) {
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

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  // ---- Alert banner (mirrors templates/alert.html) -------------------------------------

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

  function stateTag(ongoing) {
    return ongoing
      ? h('span', { class: 'state state-ongoing', text: 'Ongoing' })
      : h('span', { class: 'state state-ended', text: 'Ended' });
  }

  /** Redraws only alerts whose `rev` changed, so screen readers hear each alert once. */
  function renderAlerts(v) {
    const alerts = v.alerts.filter((a) => !dismissed.has(a.id));
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

  /** Puts `nodes` into `box` in order, moving only what is out of place. */
  function place(box, nodes) {
    nodes.forEach((n, i) => {
      if (box.children[i] !== n) box.insertBefore(n, box.children[i] || null);
    });
    while (box.children.length > nodes.length) box.lastElementChild.remove();
  }

  // ---- Dismissing and snoozing ---------------------------------------------------------

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

  // ---- Cards (mirrors templates/card.html and chart.html) ------------------------------

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
        ];
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

  function renderCards(v) {
    const main = document.getElementById('main');
    const nodes = v.cards.map((c) => {
      let el = document.getElementById(c.dom_id);
      if (!el || el.tagName !== 'SECTION') el = cardNode(c);
      updateCard(el, c);
      return el;
    });
    place(main, nodes);
  }

  // ---- Applying a view -----------------------------------------------------------------

  let last = null;

  function render(v) {
    last = v;
    for (const id of dismissed) {
      if (!v.alerts.some((a) => a.id === id)) dismissed.delete(id);
    }
    renderHeader(v);
    renderAlerts(v);
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
      skew = parse(v.now) - Date.now();
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
    const serverNow = parse(document.body.dataset.now);
    if (!Number.isNaN(serverNow)) skew = serverNow - Date.now();
    document.addEventListener('click', (e) => {
      const ack = e.target.closest('button[data-ack]');
      if (ack) act(ack, 'ack', {});
      const snooze = e.target.closest('button[data-snooze]');
      if (snooze) act(snooze, 'snooze', { duration: snooze.dataset.snooze });
    });
    // The alert actions need this script; server-rendered ones wait for it.
    for (const b of document.querySelectorAll('.alert-actions button')) b.hidden = false;
    // The count is the focus target after the last alert is dismissed.
    document.getElementById('alert-count').setAttribute('tabindex', '-1');
    setInterval(tick, 1000);
    connect();
  }

  start();
})();
