// The chain-of-custody page: GET /v1/trace/{id} (issue 6) drawn as a
// timeline, with GET /v1/verify/{id} beside it and the evidence bundle
// (GET /v1/trace/{id}/bundle) one click away.
import {describe, download, getJson, segment} from './api.js';
import {facts, h, notice, replace} from './dom.js';
import {parseGln, timeLabel, vocabLabel, listEntry} from './ids.js';

const STATUS_LABELS = {
  commissioned: 'Commissioned', in_transit: 'In transit', in_stock: 'In stock',
  dispensed: 'Dispensed', decommissioned: 'Decommissioned', recalled: 'Recalled',
  destroyed: 'Destroyed', expired: 'Expired', unknown: 'Unknown',
};

const ANOMALY_LABELS = {
  dispensed_twice: 'Dispensed twice',
  received_without_shipment: 'Received without a prior shipment',
  shipped_by_non_custodian: 'Shipped by a party that did not hold it',
  event_after_decommissioning: 'Event after decommissioning',
  expired_shipped: 'Expired product shipped',
  recalled_moved: 'Recalled unit moved after the recall',
};

// CBV 2.0 business transaction types (section 8.5).
const DOCUMENT_LABELS = {
  bol: 'Bill of lading', cert: 'Certificate', desadv: 'Despatch advice', inv: 'Invoice',
  pedigree: 'Pedigree', po: 'Purchase order', poc: 'Purchase order confirmation',
  prodorder: 'Production order', recadv: 'Receiving advice', rma: 'Return authorisation',
  testprd: 'Test procedure', testres: 'Test result', upevt: 'Update event',
};

function documentLabel(type) {
  const bare = String(type || '').replace(/^.*[:/#]/, '');
  return DOCUMENT_LABELS[bare] || vocabLabel(bare) || 'Document';
}

export function statusBadge(status) {
  const s = status || 'unknown';
  return h('span', {class: `badge status-${s}`}, STATUS_LABELS[s] || vocabLabel(s));
}

export function anomalyLabel(kind) { return ANOMALY_LABELS[kind] || vocabLabel(kind); }

// "00/<sscc>" → "SSCC …", "01/<gtin>/21/<serial>" stays as it is.
function containerLabel(key) {
  if (!key) return '';
  const m = /^00\/(\d{18})$/.exec(key);
  return m ? `SSCC ${m[1]}` : key;
}

function partyLine(label, parties, list, kinds) {
  const names = kinds.map((k) => listEntry(list, k)).filter((v) => v);
  const unique = [...new Set(names)];
  if (unique.length === 0) return null;
  return h('div', {class: 'hop-line'}, h('span', {class: 'hop-key'}, label),
           unique.map((id) => parties.label(id)).join(' · '));
}

function hopItem(hop, number, parties, anomaliesByEvent) {
  const anomalies = anomaliesByEvent.get(hop.eventId) || [];
  const classes = ['hop'];
  if (hop.inferred) classes.push('hop-inferred');
  if (anomalies.length) classes.push('hop-anomaly');
  const step = vocabLabel(hop.bizStep) || vocabLabel(hop.type);
  const where = hop.bizLocation || hop.readPoint;
  const transactions = (hop.bizTransactionList || []).map(
      (t) => `${documentLabel(t.type)} ${t.bizTransaction}`);
  return h('li', {class: classes.join(' '), dataset: {eventId: hop.eventId, index: number}},
    h('div', {class: 'hop-marker', 'aria-hidden': 'true'}),
    h('div', {class: 'hop-body'},
      h('div', {class: 'hop-head'},
        h('time', {class: 'hop-time'}, timeLabel(hop.eventTime)),
        h('span', {class: 'hop-step'}, step),
        hop.disposition ? h('span', {class: 'hop-disposition'}, vocabLabel(hop.disposition)) : null,
        hop.inferred ? h('span', {class: 'tag tag-inferred'}, 'inferred') : null),
      hop.inferred ? h('div', {class: 'hop-line hop-via'},
          h('span', {class: 'hop-key'}, 'Moved with'), containerLabel(hop.via)) : null,
      where ? h('div', {class: 'hop-line'}, h('span', {class: 'hop-key'}, 'Location'),
                parties.label(where)) : null,
      partyLine('From', parties, hop.sourceList, ['possessing_party', 'owning_party', 'location']),
      partyLine('To', parties, hop.destinationList, ['possessing_party', 'owning_party', 'location']),
      transactions.length ? h('div', {class: 'hop-line'}, h('span', {class: 'hop-key'}, 'Documents'),
                              transactions.join(' · ')) : null,
      h('div', {class: 'hop-line'}, h('span', {class: 'hop-key'}, 'Signed by'),
        parties.signer(hop.signer)),
      anomalies.map((a) => h('div', {class: 'hop-anomaly-text', role: 'note'},
          h('strong', {}, `⚠ ${anomalyLabel(a.kind)}`), a.detail ? `: ${a.detail}` : '')),
      h('div', {class: 'hop-meta'},
        `${hop.type || 'event'} ${hop.action || ''} · log ${hop.origin} #${hop.index} · `,
        h('code', {}, hop.eventId))));
}

function locationLabel(location, parties) {
  if (!location) return '—';
  return parties.label(location);
}

function verificationBox(box, id) {
  getJson(`/v1/verify/${segment(id)}`).then((v) => {
    const verdict = v.active ? 'Active: may be supplied' : 'Not active';
    replace(box, h('h3', {}, 'Verification'),
        h('div', {class: `verdict ${v.active ? 'verdict-ok' : 'verdict-bad'}`}, verdict),
        (v.reasons || []).length ? h('ul', {class: 'reasons'}, v.reasons.map((r) => h('li', {}, r))) : null,
        facts([
          ['Exists', v.exists ? 'yes' : 'no'],
          ['Recalled', v.recalled ? 'yes' : 'no'],
          ['Dispensed', v.dispensed ? 'yes' : 'no'],
          ['Expired', v.expired ? 'yes' : 'no'],
        ]));
  }).catch((e) => {
    replace(box, h('h3', {}, 'Verification'),
            notice(e.missing ? 'missing' : 'error', 'Verification unavailable', describe(e, 'Unit verification')));
  });
}

function summary(chain, parties) {
  const custodian = chain.custodian && chain.custodian.gln
      ? `${chain.custodian.name || parties.label('414/' + chain.custodian.gln)} (GLN ${chain.custodian.gln})`
      : '—';
  const commissioned = chain.commissionedBy && chain.commissionedBy.gln
      ? `${chain.commissionedBy.name || ''} (GLN ${chain.commissionedBy.gln})` : '—';
  const inferred = (chain.hops || []).filter((x) => x.inferred).length;
  return facts([
    ['Status', statusBadge(chain.status)],
    ['Custodian', custodian],
    ['Location', locationLabel(chain.location, parties)],
    ['Lot', chain.lot || '—'],
    ['Expiry', chain.expiry || '—'],
    ['Commissioned by', commissioned],
    ['Events', `${(chain.hops || []).length} (${inferred} inferred through aggregation)`],
    ['Computed from', (chain.coverage || []).map((c) => `${c.origin} @ ${c.size}`).join(', ') || '—'],
  ]);
}

// Renders the trace of `id` into `root`.
export async function showTrace(root, id, parties) {
  replace(root, h('h2', {}, 'Chain of custody'), h('p', {class: 'muted'}, `Looking up ${id} …`));
  let chain;
  try {
    chain = await getJson(`/v1/trace/${segment(id)}`);
  } catch (e) {
    replace(root, h('h2', {}, 'Chain of custody'),
            notice(e.missing ? 'missing' : 'error',
                   e.missing ? 'Trace is not available on this node' : 'Trace failed',
                   describe(e, 'The chain of custody')));
    return;
  }
  const anomaliesByEvent = new Map();
  for (const a of chain.anomalies || []) {
    if (!anomaliesByEvent.has(a.eventId)) anomaliesByEvent.set(a.eventId, []);
    anomaliesByEvent.get(a.eventId).push(a);
  }
  const bundleStatus = h('span', {class: 'muted', id: 'bundle-status'});
  const bundleButton = h('button', {type: 'button', id: 'bundle-download', onclick: async () => {
    bundleButton.disabled = true;
    replace(bundleStatus, 'Preparing the evidence bundle …');
    try {
      const name = await download(`/v1/trace/${segment(id)}/bundle`,
                                  `evidence-${(chain.key || 'unit').replace(/[^\w.-]+/g, '_')}.json`);
      replace(bundleStatus, `Saved ${name}`);
    } catch (e) {
      replace(bundleStatus, notice(e.missing ? 'missing' : 'error', 'No bundle', describe(e, 'The evidence bundle')));
    } finally {
      bundleButton.disabled = false;
    }
  }}, 'Download evidence bundle');

  const verifyBox = h('section', {class: 'card', id: 'verification'}, h('h3', {}, 'Verification'),
                      h('p', {class: 'muted'}, 'Checking …'));
  verificationBox(verifyBox, id);

  const hops = chain.hops || [];
  const recalls = chain.recalls || [];
  replace(root,
    h('div', {class: 'title-row'},
      h('h2', {}, 'Chain of custody'),
      h('div', {class: 'actions'}, bundleButton, bundleStatus)),
    h('p', {class: 'unit-key'}, h('code', {id: 'unit-key'}, chain.key || id), ' ', statusBadge(chain.status)),
    h('div', {class: 'columns'},
      h('section', {class: 'card', id: 'summary'}, h('h3', {}, 'Now'), summary(chain, parties)),
      verifyBox),
    (chain.anomalies || []).length
      ? h('section', {class: 'card card-alert', id: 'anomalies'},
          h('h3', {}, `Anomalies (${chain.anomalies.length})`),
          h('ul', {}, chain.anomalies.map((a) =>
              h('li', {}, h('strong', {}, anomalyLabel(a.kind)), a.detail ? ` — ${a.detail}` : ''))))
      : null,
    recalls.length
      ? h('section', {class: 'card card-warn', id: 'recalls'},
          h('h3', {}, `Recalls naming this unit's lot (${recalls.length})`),
          h('ul', {}, recalls.map((r) =>
              h('li', {}, h('a', {href: `#/recall/${encodeURIComponent(r)}`, class: 'recall-link'}, r)))))
      : null,
    h('section', {class: 'card'},
      h('h3', {}, 'Timeline'),
      h('p', {class: 'legend'},
        h('span', {class: 'legend-item legend-direct'}, 'event naming the unit'),
        h('span', {class: 'legend-item legend-inferred'}, 'inferred: moved inside a case or pallet'),
        h('span', {class: 'legend-item legend-anomaly'}, 'anomaly')),
      hops.length
        ? h('ol', {class: 'timeline', id: 'timeline'},
            hops.map((hop, i) => hopItem(hop, i, parties, anomaliesByEvent)))
        : notice('info', 'No events', 'No log this node holds names this identifier.')));
}
