// A tiny element builder. Text is always set as text (never parsed as HTML),
// so nothing a ledger event contains can run in the console.

// h('div', {class: 'x', onclick: f, dataset: {id: 1}}, child, 'text', [more])
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'text') {
      el.textContent = String(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

// Replaces the children of `el`.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A notice box: kind is 'info', 'error' or 'missing' (an endpoint this node
// does not serve yet).
export function notice(kind, title, detail) {
  return h('div', {class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status'},
           h('strong', {}, title), detail ? h('div', {class: 'notice-detail'}, detail) : null);
}

// A definition list from [label, value] pairs (values may be nodes).
export function facts(pairs) {
  return h('dl', {class: 'facts'},
           pairs.filter((p) => p).map(([label, value]) =>
               [h('dt', {}, label), h('dd', {}, value ?? '—')]));
}

// A progress bar for share in [0, 1].
export function progress(share, label) {
  const pct = Math.max(0, Math.min(100, Math.round((Number(share) || 0) * 1000) / 10));
  const fill = h('div', {class: 'progress-fill'});
  fill.style.width = `${pct}%`;  // CSSOM, not a style attribute: allowed by the CSP
  return h('div', {class: 'progress', role: 'progressbar', 'aria-valuenow': pct,
                   'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': label},
           fill, h('span', {class: 'progress-text'}, `${pct}%`));
}
