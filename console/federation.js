// The federation page: this node, every log it holds (GET /v1/logs, issue 4:
// sizes, lag, cosignatures) and the split-view alarms (GET /v1/alarms).
import {describe, getJson, getText} from './api.js';
import {facts, h, notice, replace} from './dom.js';

function first(obj, names) {
  for (const n of names) {
    if (obj && obj[n] !== undefined && obj[n] !== null) return obj[n];
  }
  return undefined;
}

function lagLabel(lag) {
  if (lag === undefined) return '—';
  if (typeof lag !== 'object') return String(lag);
  const parts = [];
  const entries = first(lag, ['entries', 'size']);
  const seconds = first(lag, ['seconds', 'ms']);
  if (entries !== undefined) parts.push(`${entries} entries`);
  if (lag.seconds !== undefined) parts.push(`${lag.seconds} s`);
  else if (lag.ms !== undefined) parts.push(`${lag.ms} ms`);
  return parts.join(', ') || (seconds === undefined ? JSON.stringify(lag) : String(seconds));
}

// A C2SP signed note: the checkpoint body (origin, size, root hash) and the
// key names of its signature lines ("— <name> <base64>"). The origin's own
// signature is one of them; every other is a cosignature (a witness).
export function parseSignedNote(note) {
  if (typeof note !== 'string') return null;
  const split = note.indexOf('\n\n');
  if (split < 0) return null;
  const body = note.slice(0, split).split('\n');
  const signers = note.slice(split + 2).split('\n')
      .map((line) => /^\u2014 (\S+) /.exec(line)).filter((m) => m).map((m) => m[1]);
  return {origin: body[0], size: /^\d+$/.test(body[1] || '') ? Number(body[1]) : undefined,
          root: body[2], signers};
}

function cosignatureList(log) {
  const note = parseSignedNote(first(log, ['checkpoint', 'verifiedCheckpoint']));
  if (note) {
    const cosigners = note.signers.filter((n) => n !== note.origin);
    if (cosigners.length === 0) return 'none';
    return h('ul', {class: 'plain cosigners'}, cosigners.map((n) => h('li', {}, n)));
  }
  let cosigs = first(log, ['cosignatures', 'cosigners', 'witnesses']);
  if (cosigs === undefined && log.checkpoint && typeof log.checkpoint === 'object') {
    cosigs = first(log.checkpoint, ['cosignatures', 'cosigners', 'witnesses']);
  }
  if (cosigs === undefined) return '—';
  if (typeof cosigs === 'number') return String(cosigs);
  if (!Array.isArray(cosigs)) return JSON.stringify(cosigs);
  if (cosigs.length === 0) return 'none';
  return h('ul', {class: 'plain'}, cosigs.map((c) => h('li', {},
      typeof c === 'string' ? c
          : `${first(c, ['name', 'keyName', 'witness', 'cosigner', 'origin']) || '?'}` +
            (first(c, ['time', 'timestamp']) !== undefined
                ? ` at ${new Date(Number(first(c, ['time', 'timestamp'])) * 1000).toISOString()}` : ''))));
}

function checkpointSize(log) {
  const cp = first(log, ['verifiedCheckpoint', 'checkpoint']);
  if (cp && typeof cp === 'object') return first(cp, ['size', 'treeSize']);
  if (typeof cp === 'string') return parseSignedNote(cp)?.size;
  return first(log, ['verifiedSize', 'checkpointSize']);
}

function logsTable(logs, ownName) {
  return h('table', {class: 'data', id: 'logs'},
    h('thead', {}, h('tr', {}, ['Origin', 'Held as', 'Size', 'Verified checkpoint', 'Lag', 'Cosignatures', 'State']
        .map((c) => h('th', {}, c)))),
    h('tbody', {}, logs.map((log) => {
      const origin = first(log, ['origin', 'name']) || '?';
      const own = first(log, ['own', 'isOwn', 'self']);
      const replica = first(log, ['replica', 'isReplica']);
      const heldAs = own === true || (own === undefined && replica === false) || origin === ownName
          ? 'own log' : 'replica';
      const state = first(log, ['state', 'status', 'error', 'lastError']);
      const alarmed = first(log, ['alarm', 'alarmed', 'frozen', 'halted']);
      return h('tr', {class: alarmed ? 'row-alarm' : '', dataset: {origin}},
        h('td', {}, h('code', {}, origin)), h('td', {}, heldAs),
        h('td', {class: 'num'}, first(log, ['size', 'treeSize']) ?? '—'),
        h('td', {class: 'num'}, checkpointSize(log) ?? '—'),
        h('td', {}, lagLabel(first(log, ['lag', 'lagEntries', 'lagSeconds']))),
        h('td', {}, cosignatureList(log)),
        h('td', {}, alarmed ? h('span', {class: 'badge status-recalled'}, 'alarm') : null,
          state === undefined ? '' : ` ${typeof state === 'object' ? JSON.stringify(state) : state}`));
    })));
}

// An alarm of GET /v1/alarms: {origin, reason, conflicting (checkpoint
// note), evidence, source ("gossip" or the peer), detectedAt}.
function alarmItem(alarm) {
  const origin = first(alarm, ['origin', 'log']);
  const reason = first(alarm, ['reason', 'kind', 'detail', 'message']);
  const when = first(alarm, ['detectedAt', 'time', 'raisedAt']);
  const source = first(alarm, ['source']);
  return h('li', {class: 'alarm'},
    h('strong', {}, `Split view${origin ? ` of ${origin}` : ''}`),
    when !== undefined ? ` — detected ${when}` : '', source ? ` (from ${source})` : '',
    reason ? h('div', {class: 'alarm-reason'}, reason) : null,
    alarm.conflicting ? h('details', {}, h('summary', {}, 'conflicting checkpoint'), h('pre', {}, alarm.conflicting)) : null,
    h('details', {}, h('summary', {}, 'evidence'), h('pre', {}, JSON.stringify(alarm.evidence ?? alarm, null, 2))));
}

async function nodeCard(box) {
  try {
    const [node, checkpoint] = await Promise.all([getJson('/v1/node'), getText('/v1/checkpoint')]);
    replace(box, h('h3', {}, 'This node'), facts([
      ['Name', node.name], ['Log size', node.size], ['Version', node.version],
      ['Verifier key', h('code', {class: 'wrap'}, node.verifierKey)],
    ]), h('details', {}, h('summary', {}, 'Latest signed checkpoint'), h('pre', {id: 'checkpoint'}, checkpoint)));
    return node.name;
  } catch (e) {
    replace(box, h('h3', {}, 'This node'), notice('error', 'Node information unavailable', describe(e, 'GET /v1/node')));
    return '';
  }
}

async function logsCard(box, ownName) {
  try {
    const answer = await getJson('/v1/logs');
    const logs = Array.isArray(answer) ? answer : (answer.logs || []);
    replace(box, h('h3', {}, `Logs held (${logs.length})`),
            logs.length ? logsTable(logs, ownName) : notice('info', 'No logs listed', ''));
  } catch (e) {
    replace(box, h('h3', {}, 'Logs held'),
            notice(e.missing ? 'missing' : 'error',
                   e.missing ? 'Federation is not available on this node' : 'Could not list the logs',
                   describe(e, 'The list of logs')));
  }
}

async function alarmsCard(box) {
  try {
    const answer = await getJson('/v1/alarms');
    const alarms = Array.isArray(answer) ? answer : (answer.alarms || []);
    replace(box, h('h3', {}, `Alarms (${alarms.length})`),
            alarms.length ? h('ul', {class: 'alarms'}, alarms.map(alarmItem))
                          : h('p', {class: 'ok', id: 'no-alarms'}, 'No alarms: every checkpoint seen is consistent.'));
    box.classList.toggle('card-alert', alarms.length > 0);
    return alarms.map((a) => first(a, ['origin', 'log'])).filter((o) => o);
  } catch (e) {
    // A node without a witness answers its own 404 ("this node runs no witness").
    const absent = e.missing || e.status === 404;
    replace(box, h('h3', {}, 'Alarms'),
            notice(absent ? 'missing' : 'error',
                   absent ? 'Alarms are not available on this node' : 'Could not read the alarms',
                   describe(e, 'The alarm list')));
  }
}

export async function showFederation(root) {
  const node = h('section', {class: 'card', id: 'node'}, h('h3', {}, 'This node'));
  const logs = h('section', {class: 'card', id: 'logs-card'}, h('h3', {}, 'Logs held'), h('p', {class: 'muted'}, 'Loading …'));
  const alarms = h('section', {class: 'card', id: 'alarms'}, h('h3', {}, 'Alarms'), h('p', {class: 'muted'}, 'Loading …'));
  replace(root, h('h2', {}, 'Federation'), node, logs, alarms);
  const ownName = await nodeCard(node);
  const [, alarmed] = await Promise.all([logsCard(logs, ownName), alarmsCard(alarms)]);
  // A log with an alarm: its row turns red and says so.
  for (const row of logs.querySelectorAll('#logs tbody tr')) {
    if (!(alarmed || []).includes(row.dataset.origin) || row.classList.contains('row-alarm')) continue;
    row.classList.add('row-alarm');
    row.lastElementChild.prepend(h('span', {class: 'badge status-recalled'}, 'split view'));
  }
}
