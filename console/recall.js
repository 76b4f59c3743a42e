// The recall page: GET /v1/recalls/{id} (issue 6): affected units, counts per
// custodian, units in stock and dispensed, acknowledgement progress.
import {describe, download, getJson, segment} from './api.js';
import {facts, h, notice, progress, replace} from './dom.js';
import {statusBadge} from './trace.js';
import {timeLabel} from './ids.js';

const UNIT_PAGE = 100;

function custodianName(gln, units, parties) {
  const unit = units.find((u) => u.custodian && u.custodian.gln === gln && u.custodian.name);
  if (unit) return unit.custodian.name;
  const p = parties.byGln.get(gln);
  return p ? p.name : '';
}

// Per custodian: units, in stock, dispensed, acknowledged (from the unit list).
function custodianRows(report, parties) {
  const units = report.units || [];
  const rows = [];
  for (const [gln, count] of Object.entries(report.countsByCustodian || {})) {
    const mine = units.filter((u) => ((u.custodian && u.custodian.gln) || 'unknown') === gln);
    rows.push({
      gln, count,
      name: custodianName(gln, units, parties),
      inStock: mine.filter((u) => u.status === 'in_stock' || (u.status === 'recalled' && !u.inTransit)).length,
      dispensed: mine.filter((u) => u.status === 'dispensed').length,
      acknowledged: mine.filter((u) => u.acknowledged).length,
    });
  }
  rows.sort((a, b) => b.count - a.count || a.gln.localeCompare(b.gln));
  return rows;
}

function custodianTable(report, parties) {
  const rows = custodianRows(report, parties);
  return h('table', {class: 'data', id: 'custodians'},
    h('thead', {}, h('tr', {}, ['Custodian', 'GLN', 'Units', 'In stock', 'Dispensed', 'Acknowledged']
        .map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {},
        h('td', {}, r.name || '—'), h('td', {}, h('code', {}, r.gln)),
        h('td', {class: 'num'}, r.count), h('td', {class: 'num'}, r.inStock),
        h('td', {class: 'num'}, r.dispensed),
        h('td', {}, progress(r.count ? r.acknowledged / r.count : 0, `acknowledged at ${r.gln}`))))));
}

function unitRows(units, from, to, parties) {
  const custodian = (c) => (c && c.gln ? (c.name || custodianName(c.gln, [], parties) || c.gln) : '—');
  return units.slice(from, to).map((u) => h('tr', {},
    h('td', {}, h('a', {href: `#/trace/${encodeURIComponent(u.epc || u.key)}`}, u.epc || u.key)),
    h('td', {}, statusBadge(u.status), u.inTransit ? ' (in transit)' : ''),
    h('td', {}, custodian(u.custodian)),
    h('td', {}, u.location ? parties.label(u.location) : '—'),
    h('td', {}, timeLabel(u.lastEventTime)),
    h('td', {}, u.acknowledged ? `✔ ${u.acknowledgedAt ? timeLabel(u.acknowledgedAt) : 'yes'}` : 'no')));
}

// acknowledgement.timeline: cumulative per UTC day from the day of issue.
function ackTimeline(timeline) {
  if (!Array.isArray(timeline) || timeline.length === 0) return null;
  const LAST = 14;
  const rows = (from) => timeline.slice(from).map((d) => h('tr', {},
      h('td', {}, d.date), h('td', {class: 'num'}, d.units ?? '—'),
      h('td', {}, progress(d.unitShare, `units acknowledged by ${d.date}`)),
      h('td', {class: 'num'}, d.consignees ?? '—'),
      h('td', {}, progress(d.consigneeShare, `consignees acknowledged by ${d.date}`))));
  const start = Math.max(0, timeline.length - LAST);
  const body = h('tbody', {}, rows(start));
  const more = start > 0
    ? h('button', {type: 'button', class: 'link', onclick: () => { replace(body, rows(0)); more.remove(); }},
        `Show all ${timeline.length} days`)
    : null;
  return [h('h4', {}, 'Over time (cumulative, per UTC day)'),
          h('table', {class: 'data', id: 'ack-timeline'},
            h('thead', {}, h('tr', {}, ['Day', 'Units', 'Unit share', 'Consignees', 'Consignee share']
                .map((c) => h('th', {}, c)))), body), more];
}

function unitTable(report, parties) {
  const units = report.units || [];
  const body = h('tbody', {}, unitRows(units, 0, UNIT_PAGE, parties));
  let shown = Math.min(UNIT_PAGE, units.length);
  const more = units.length > shown
    ? h('button', {type: 'button', class: 'link', onclick: () => {
        body.append(...unitRows(units, shown, units.length, parties));
        shown = units.length;
        more.remove();
      }}, `Show all ${units.length} units`)
    : null;
  return [h('table', {class: 'data', id: 'recall-units'},
      h('thead', {}, h('tr', {}, ['Unit', 'Status', 'Custodian', 'Location', 'Last event', 'Acknowledged']
          .map((c) => h('th', {}, c)))), body), more];
}

function kpi(label, value, id) {
  return h('div', {class: 'kpi', id}, h('div', {class: 'kpi-value'}, value), h('div', {class: 'kpi-label'}, label));
}

// Renders recall `id` into `root`.
export async function showRecall(root, id, parties) {
  replace(root, h('h2', {}, 'Recall'), h('p', {class: 'muted'}, `Loading ${id} …`));
  let report;
  try {
    report = await getJson(`/v1/recalls/${segment(id)}`);
  } catch (e) {
    replace(root, h('h2', {}, 'Recall'),
            notice(e.missing ? 'missing' : 'error',
                   e.missing ? 'Recalls are not available on this node' : 'Recall not found',
                   describe(e, 'The recall report')));
    return;
  }
  const ack = report.acknowledgement || {};
  const units = report.units || [];
  const inTransit = units.filter((u) => u.inTransit).length;
  const csvStatus = h('span', {class: 'muted'});
  const csvButton = h('button', {type: 'button', id: 'recall-csv', onclick: async () => {
    try {
      replace(csvStatus, `Saved ${await download(`/v1/recalls/${segment(id)}?format=csv`, 'recall.csv')}`);
    } catch (e) {
      replace(csvStatus, describe(e, 'CSV export'));
    }
  }}, 'Download CSV');
  const issued = report.issuedMs ? new Date(report.issuedMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—';
  replace(root,
    h('div', {class: 'title-row'}, h('h2', {}, 'Recall'), h('div', {class: 'actions'}, csvButton, csvStatus)),
    h('p', {}, h('code', {id: 'recall-id'}, id)),
    h('section', {class: 'card'}, facts([
      report.recallNumber ? ['Recall number', report.recallNumber] : null,
      report.class ? ['Class', report.class] : null,
      report.reason ? ['Reason', report.reason] : null,
      ['GTIN', report.gtin || '—'],
      ['Lots', (report.lots || []).join(', ') || '—'],
      (report.ids || []).length ? ['Identifiers', report.ids.join(', ')] : null,
      ['Issued', issued],
      ['Recall events', (report.recallEvents || []).length],
      ['Computed from', (report.coverage || []).map((c) => `${c.origin} @ ${c.size}`).join(', ') || '—'],
    ])),
    h('div', {class: 'kpis', id: 'recall-kpis'},
      kpi('Affected units', report.unitCount ?? units.length, 'kpi-units'),
      kpi('Still in stock', report.inStock ?? '—', 'kpi-in-stock'),
      kpi('Dispensed to patients', report.dispensed ?? '—', 'kpi-dispensed'),
      kpi('In transit', inTransit, 'kpi-in-transit')),
    h('section', {class: 'card', id: 'acknowledgement'},
      h('h3', {}, 'Acknowledgement'),
      h('div', {class: 'ack-row'}, h('span', {class: 'ack-label'},
          `Units: ${ack.units ?? 0} of ${report.unitCount ?? units.length}`),
        progress(ack.unitShare, 'units acknowledged')),
      h('div', {class: 'ack-row'}, h('span', {class: 'ack-label'},
          `Consignees: ${ack.consigneesAcknowledged ?? 0} of ${ack.consignees ?? 0}`),
        progress(ack.consigneeShare, 'consignees acknowledged')),
      ackTimeline(ack.timeline)),
    h('section', {class: 'card'}, h('h3', {}, 'Units per custodian'), custodianTable(report, parties)),
    h('section', {class: 'card'}, h('h3', {}, `Affected units (${units.length})`), unitTable(report, parties)));
}
