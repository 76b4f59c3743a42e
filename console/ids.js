// Identifier helpers: GLNs from PGLN/SGLN EPC URIs, canonical keys and
// Digital Links; participant names for GLNs and signer key ids; labels for
// CBV vocabulary and times.

// GS1 General Specifications 7.9.1: mod-10 check digit of a 12-digit GLN body.
export function gs1CheckDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

// {gln, prefix, extension} of a place or party identifier: an EPC URI
// urn:epc:id:sgln:P.R.E / urn:epc:id:pgln:P.R, a canonical key
// 414/<gln>[/254/<ext>] or 417/<gln>, or a Digital Link .../414/<gln>[/254/<ext>];
// null if it is none of these.
export function parseGln(id) {
  if (!id) return null;
  let m = /^urn:epc:id:(sgln|pgln):(\d+)\.(\d*)(?:\.(.*))?$/.exec(id);
  if (m) {
    const body = m[2] + m[3];
    if (body.length !== 12) return null;
    const ext = m[1] === 'sgln' && m[4] && m[4] !== '0' ? m[4] : '';
    return {gln: body + gs1CheckDigit(body), prefix: m[2], extension: ext};
  }
  m = /(?:^|\/)(?:414|417)\/(\d{13})(?:\/254\/([^/?#]+))?/.exec(id);
  if (m) return {gln: m[1], prefix: '', extension: m[2] ? decodeURIComponent(m[2]) : ''};
  return null;
}

// Participants by key id and by GLN, and the party a site belongs to.
export class Parties {
  constructor(list) {
    this.byKey = new Map();
    this.byGln = new Map();
    for (const p of list || []) {
      if (p.keyId) this.byKey.set(p.keyId, p);
      if (p.gln && !this.byGln.has(p.gln)) this.byGln.set(p.gln, p);
    }
  }

  // The participant whose GLN is `gln`, or whose party GLN (company prefix,
  // location reference 0) is the one of this site; null if none.
  partyOf(place) {
    if (!place) return null;
    if (this.byGln.has(place.gln)) return this.byGln.get(place.gln);
    const lengths = place.prefix ? [place.prefix.length] : [12, 11, 10, 9, 8, 7, 6];
    for (const n of lengths) {
      const body = place.gln.slice(0, n).padEnd(12, '0');
      const party = this.byGln.get(body + gs1CheckDigit(body));
      if (party) return party;
    }
    return null;
  }

  // "Name (GLN)" for any place/party identifier; the identifier itself when
  // it is not a GLN.
  label(id) {
    const place = parseGln(id);
    if (!place) return id || '—';
    const party = this.partyOf(place);
    const site = place.extension ? ` ext. ${place.extension}` : '';
    if (!party) return `GLN ${place.gln}${site}`;
    const own = party.gln === place.gln ? '' : ' site';
    return `${party.name}${own} (GLN ${place.gln}${site})`;
  }

  // The signer's participant name, or the key id.
  signer(keyId) {
    const p = this.byKey.get(keyId);
    return p ? `${p.name} (GLN ${p.gln})` : keyId || '—';
  }
}

// "shipping" or "urn:epcglobal:cbv:bizstep:shipping" → "Shipping".
export function vocabLabel(value) {
  if (!value) return '';
  const bare = String(value).replace(/^.*[:/#]/, '');
  const words = bare.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// An EPCIS eventTime as written → "2026-03-02 10:00:00 +01:00".
export function timeLabel(eventTime) {
  if (!eventTime) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(eventTime);
  if (!m) return eventTime;
  return `${m[1]} ${m[2]} ${m[3] === 'Z' || !m[3] ? 'UTC' : m[3]}`;
}

// What kind of identifier a search string is (for the hint under the box).
export function identifierKind(text) {
  const s = text.trim();
  if (/^urn:epc:id:/i.test(s)) return 'EPC URI';
  if (/^urn:epc:class:/i.test(s)) return 'EPC class URI';
  if (/^https?:\/\//i.test(s)) {
    return /\/10\/[^/]+\/?(\?.*)?$/.test(s) && !/\/21\//.test(s) ? 'GS1 Digital Link of a lot' : 'GS1 Digital Link';
  }
  if (/^ni:\/\/\//.test(s)) return 'event id';
  if (s) return 'raw scan';
  return '';
}

// The party named in an EPCIS source/destination list entry of `type`
// (owning_party, possessing_party, location).
export function listEntry(list, type) {
  for (const item of list || []) {
    const t = String(item.type || '').replace(/^.*[:/#]/, '');
    if (t === type) return item.source || item.destination || '';
  }
  return '';
}
