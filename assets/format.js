// Formatting for the dashboard script; mirrors src/server/page/text.rs, so keep the wording in
// step. Times are relative to the server's clock, corrected by the skew each view reports.

import { h } from './dom.js';

/** Server time minus browser time, so "3 min ago" is right on a skewed client. */
let skew = 0;

const now = () => Date.now() + skew;

/** Adopts the server's clock from a view's `now` (or the page's `data-now`). */
export function setServerNow(t) {
  const server = parse(t);
  if (!Number.isNaN(server)) skew = server - Date.now();
}

/** Epoch ms of an RFC 3339 time; the server may send nanoseconds, Date wants milliseconds. */
export function parse(t) {
  return Date.parse(String(t).replace(/(\.\d{3})\d+/, '$1'));
}

export function ago(iso) {
  const s = Math.floor((now() - parse(iso)) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor((s + 1800) / 3600)} h ago`;
  return `${Math.floor((s + 43200) / 86400)} d ago`;
}

export function iso(t) {
  return new Date(parse(t)).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function exact(t) {
  return iso(t).replace('T', ' ').replace('Z', ' UTC');
}

export function group(n) {
  return Number(n).toLocaleString('en-US');
}

export function timeEl(t) {
  return h('time', { datetime: iso(t), title: exact(t), 'data-rel': true, text: ago(t) });
}

/** Keeps every relative time ticking. */
export function tick() {
  for (const el of document.querySelectorAll('time[data-rel]')) {
    const text = ago(el.getAttribute('datetime'));
    if (el.textContent !== text) el.textContent = text;
  }
}
