// DOM building for the dashboard script. Every string the page shows may come from an
// attacker (a failed login's username is whatever was typed), so nodes are built with
// createElement, textContent and setAttribute only: never innerHTML, never inline style (the
// page runs under a strict CSP).

const SVG_NS = 'http://www.w3.org/2000/svg';
const ICON = {
  check: ['m3 8.5 3.2 3L13 4.5'],
  cross: ['m4 4 8 8M12 4l-8 8'],
  warn: ['M8 1.5 15 14H1z', 'M8 6v3.5M8 11.5v.5'],
};

/** An element with attributes (`text` sets textContent) and children (strings become text). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function svg(tag, attrs, ...children) {
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

export function icon(name, cls) {
  const paths = ICON[name].map((d, i) => svg('path', { d, class: i ? 'icon-cut' : null }));
  return svg('svg', { class: cls || 'icon', viewBox: '0 0 16 16', 'aria-hidden': 'true' }, paths);
}

/** A clipped upstream string: its text, with the full value as a tooltip. */
export function clip(c, cls, tag) {
  return h(tag || 'span', { class: cls, title: c.full || c.text, text: c.text });
}

export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/** Puts `nodes` into `box` in order, moving only what is out of place. */
export function place(box, nodes) {
  nodes.forEach((n, i) => {
    if (box.children[i] !== n) box.insertBefore(n, box.children[i] || null);
  });
  while (box.children.length > nodes.length) box.lastElementChild.remove();
}
