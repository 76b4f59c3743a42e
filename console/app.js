// The regulator console: sign-in, search, and the hash router
// (#/search, #/trace/<id>, #/recall/<id>, #/federation).
import {describe, getJson, session} from './api.js';
import {h, notice, replace} from './dom.js';
import {identifierKind, Parties} from './ids.js';
import {showTrace} from './trace.js';
import {showRecall} from './recall.js';
import {showFederation} from './federation.js';

const root = document.getElementById('view');  // holds the current page's container
const nav = document.getElementById('nav');
const nodeLabel = document.getElementById('node-label');
let parties = null;  // participant registry, loaded once per sign-in
let generation = 0;  // bumped per navigation; a slower earlier page must not claim to be ready

async function loadParties() {
  if (parties) return parties;
  const answer = await getJson('/v1/participants');
  parties = new Parties(answer.participants || []);
  return parties;
}

function showSignIn(view, message) {
  nav.hidden = true;
  const input = h('input', {type: 'password', id: 'token', name: 'token', autocomplete: 'off',
                            placeholder: 'udi_…', required: true, size: 70});
  const status = h('div', {id: 'signin-status'}, message ? notice('error', 'Signed out', message) : null);
  const form = h('form', {id: 'signin', class: 'card narrow', onsubmit: async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    session.signIn(token);
    parties = null;
    try {
      await loadParties();
    } catch (e) {
      session.signOut();
      const why = e.status === 401 ? 'This node does not know that token.' : describe(e, 'Sign-in check');
      replace(status, notice('error', 'Sign-in failed', why));
      return;
    }
    if (location.hash === '#/search') route(); else location.hash = '#/search';
  }},
    h('h2', {}, 'Sign in'),
    h('p', {}, 'Paste the regulator bearer token issued by this node\'s administrator ',
      h('code', {}, 'ledgerctl token create --role regulator'),
      '. It stays in this browser tab only (session storage) and is sent with every request.'),
    h('label', {for: 'token'}, 'Token'), input,
    h('button', {type: 'submit'}, 'Sign in'), status);
  replace(view, form);
  input.focus();
}

function searchForm(initial = '') {
  const input = h('input', {type: 'search', id: 'search', name: 'q', value: initial, size: 70,
                            placeholder: 'Scan a barcode, or paste an EPC URI or GS1 Digital Link',
                            autocomplete: 'off', spellcheck: 'false'});
  const hint = h('div', {class: 'hint', id: 'search-kind'});
  input.addEventListener('input', () => {
    const kind = identifierKind(input.value);
    replace(hint, kind ? `Recognised as: ${kind}` : '');
  });
  return h('form', {id: 'search-form', class: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    const q = input.value.replace(/^\s+|\s+$/g, '');
    if (!q) return;
    const kind = identifierKind(q);
    // An event id or a lot (a class, not one unit) opens the recall report.
    const recall = kind === 'event id' || kind === 'EPC class URI' ||
                   kind === 'GS1 Digital Link of a lot';
    location.hash = (recall ? '#/recall/' : '#/trace/') + encodeURIComponent(q);
  }}, input, h('button', {type: 'submit'}, 'Trace'), hint);
}

function showSearch(view) {
  const recallInput = h('input', {type: 'text', id: 'recall-input', size: 70,
                                  placeholder: 'Recall event id (ni:///sha-256;…) or a lot (urn:epc:class:lgtin:…, …/01/<gtin>/10/<lot>)'});
  replace(view,
    h('section', {class: 'card'}, h('h2', {}, 'Find a unit'), searchForm(),
      h('p', {class: 'muted'}, 'Accepted: a raw scan (GS1 element string, e.g. ',
        h('code', {}, '(01)…(21)…'), ' or with FNC1/GS separators), an EPC URI (',
        h('code', {}, 'urn:epc:id:sgtin:…'), ') or a GS1 Digital Link (',
        h('code', {}, 'https://id.gs1.org/01/…/21/…'), ').')),
    h('section', {class: 'card'}, h('h2', {}, 'Open a recall'),
      h('form', {id: 'recall-form', class: 'search', onsubmit: (ev) => {
        ev.preventDefault();
        const id = recallInput.value.trim();
        if (id) location.hash = `#/recall/${encodeURIComponent(id)}`;
      }}, recallInput, h('button', {type: 'submit'}, 'Open'))));
  view.querySelector('#search').focus();
}

async function showNodeLabel() {
  try {
    const node = await getJson('/v1/node');
    replace(nodeLabel, `${node.name} · ${node.size} entries · v${node.version}`);
  } catch (_) {
    replace(nodeLabel, '');
  }
}

function markNav(name) {
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    a.classList.toggle('active', a.dataset.nav === name);
  }
}

// Draws the page for location.hash into a fresh container, then marks the
// body ready (data-ready = the hash) unless another navigation came after.
async function route() {
  const gen = ++generation;
  const hash = location.hash || '#/search';
  const view = h('div', {class: 'page'});
  replace(root, view);
  document.body.dataset.ready = '';
  await draw(view, hash);
  if (gen === generation) document.body.dataset.ready = hash;  // tests wait for this
}

async function draw(view, hash) {
  if (!session.signedIn()) return showSignIn(view, '');
  nav.hidden = false;
  showNodeLabel();
  let p;
  try {
    p = await loadParties();
  } catch (e) {
    if (!session.signedIn()) return showSignIn(view, 'The node no longer accepts this token; sign in again.');
    p = new Parties([]);
    view.prepend(notice('error', 'No participant names', describe(e, 'The participant registry')));
  }
  const [, page, ...rest] = hash.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  markNav(page);
  if (page === 'trace' && arg) {
    const result = h('div', {id: 'result'});
    replace(view, h('section', {class: 'card compact'}, searchForm(arg)), result);
    await showTrace(result, arg, p);
  } else if (page === 'recall' && arg) {
    await showRecall(view, arg, p);
  } else if (page === 'federation') {
    await showFederation(view);
  } else {
    showSearch(view);
  }
}

document.getElementById('signout').addEventListener('click', () => {
  session.signOut();
  parties = null;
  if (location.hash === '#/search') route(); else location.hash = '#/search';
});
window.addEventListener('hashchange', route);
route();
