// Local capture endpoints for the real posthog-js and @sentry/browser SDKs.
//
// One HTTP server on 127.0.0.1 answers what the SDKs call and stores what they
// send, decoded the way the products' own endpoints decode it:
//
// PostHog (api_host = http://127.0.0.1:PORT)
//   GET  /array/<token>/config      remote config: session recording on (endpoint /s/),
//                                   supportedCompression ["gzip", "gzip-js"] (as PostHog's server; posthog-js then gzips)
//   POST /flags/?v=2                no flags
//   POST /e/, /i/v0/e/, /s/, /batch/, /engage/, ...   capture: the body is
//        gzip            when ?compression=gzip-js (or the body starts 1f 8b),
//        base64          when ?compression=base64 (form `data=<base64>` from sendBeacon),
//        plain JSON      otherwise;
//        lz64 (lz-string) is refused with 400: it is never advertised, so never sent.
//   Each decoded event (a capture body is one event, a list, or {batch: [...]}) is stored
//   under its `properties.token` with the path and the compression it came with.
//
// Sentry (dsn = http://<public key>@127.0.0.1:PORT/<project>)
//   POST /api/<project>/envelope/   an envelope: header line, then items, each an item header
//        line and a payload of `length` bytes (or up to the next newline without one).
//        `replay_recording` payloads are `{"segment_id":N}\n` + zlib or plain JSON (Relay
//        tries zlib and falls back to the raw bytes); stored per public key with the
//        replay_id of the envelope's `replay_event` item and whether the body was zlib.
//
// Example:
//   const srv = await startCaptureServer(8710);
//   ... browser sessions with token "phc_sdk_media_1" / key "sdkmedia1" ...
//   srv.take('phc_sdk_media_1')   // -> [{path: '/s/', compression: 'gzip-js', event: {...}}, ...]
//   srv.take('sdkmedia1')         // -> [{kind: 'replay_recording', segment_id: 0, events: [...]}, ...]
//   await srv.close();
'use strict';

const http = require('http');
const zlib = require('zlib');

function remoteConfig(token) {
  // the fields posthog-js reads from /array/<token>/config for recording
  return {
    token,
    supportedCompression: ['gzip', 'gzip-js'],
    hasFeatureFlags: false,
    captureDeadClicks: false,
    capturePerformance: false,
    autocapture_opt_out: false,
    autocaptureExceptions: false,
    analytics: { endpoint: '/i/v0/e/' },
    elementsChainAsString: true,
    sessionRecording: {
      endpoint: '/s/',
      consoleLogRecordingEnabled: true,
      recorderVersion: 'v2',
      sampleRate: null,
      minimumDurationMilliseconds: null,
      linkedFlag: null,
      networkPayloadCapture: null,
      urlTriggers: [],
      urlBlocklist: [],
      eventTriggers: [],
      scriptConfig: null,
      recordCanvas: false,
    },
    heatmaps: false,
    surveys: false,
    defaultIdentifiedOnly: true,
    siteApps: [],
  };
}

function cors(res) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', '*');
}

function send(res, code, obj, type = 'application/json') {
  cors(res);
  res.writeHead(code, { 'Content-Type': type });
  res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
}

// PostHog capture body -> JSON value (mirrors posthog's load_data_from_request / capture-rs decoding)
function decodePosthogBody(buf, compression, contentType) {
  let text;
  if (compression === 'gzip-js' || compression === 'gzip' || (buf[0] === 0x1f && buf[1] === 0x8b)) {
    text = zlib.gunzipSync(buf).toString('utf8');
    compression = 'gzip-js';
  } else if (compression === 'lz64' || compression === 'lz-string') {
    throw new Error('lz64 bodies are not decoded by this capture server (not advertised)');
  } else {
    text = buf.toString('utf8');
    if (compression === 'base64' || /x-www-form-urlencoded/.test(contentType || '') || text.startsWith('data=')) {
      const data = new URLSearchParams(text).get('data');
      if (data === null) throw new Error('form body without a data field');
      text = Buffer.from(data, 'base64').toString('utf8');
      compression = 'base64';
    }
  }
  return { value: JSON.parse(text), compression: compression || 'none' };
}

function posthogEvents(value) {
  if (Array.isArray(value)) return value;
  if (value && Array.isArray(value.batch)) return value.batch;
  return [value];
}

// Sentry envelope -> items [{header, payload: Buffer}]
function parseEnvelope(buf) {
  let off = buf.indexOf(0x0a);
  if (off < 0) throw new Error('envelope without a header line');
  const header = JSON.parse(buf.subarray(0, off).toString('utf8'));
  off += 1;
  const items = [];
  while (off < buf.length) {
    const nl = buf.indexOf(0x0a, off);
    const line = buf.subarray(off, nl < 0 ? buf.length : nl).toString('utf8');
    off = nl < 0 ? buf.length : nl + 1;
    if (!line.trim()) continue;
    const ih = JSON.parse(line);
    let payload;
    if (typeof ih.length === 'number') {
      payload = buf.subarray(off, off + ih.length);
      off += ih.length;
      if (buf[off] === 0x0a) off += 1;
    } else {
      const end = buf.indexOf(0x0a, off);
      payload = buf.subarray(off, end < 0 ? buf.length : end);
      off = end < 0 ? buf.length : end + 1;
    }
    items.push({ header: ih, payload });
  }
  return { header, items };
}

function decodeReplayRecording(payload) {
  const nl = payload.indexOf(0x0a);
  if (nl < 0) throw new Error('replay_recording payload without a header line');
  const head = JSON.parse(payload.subarray(0, nl).toString('utf8'));
  const body = payload.subarray(nl + 1);
  let text, zlibbed = false;
  try {
    text = zlib.inflateSync(body).toString('utf8');
    zlibbed = true;
  } catch (e) {
    text = body.toString('utf8'); // Relay: not zlib -> the raw bytes
  }
  return { segment_id: head.segment_id, zlib: zlibbed, events: JSON.parse(text) };
}

function startCaptureServer(port) {
  const store = new Map(); // key (posthog token / sentry public key) -> records
  const errors = [];
  const put = (key, rec) => { if (!store.has(key)) store.set(key, []); store.get(key).push(rec); };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://127.0.0.1');
      const body = Buffer.concat(chunks);
      try {
        if (req.method === 'OPTIONS') return send(res, 204, '');
        let m;
        if ((m = url.pathname.match(/^\/array\/([^/]+)\/config$/))) return send(res, 200, remoteConfig(m[1]));
        if (/^\/array\/[^/]+\/config\.js$/.test(url.pathname)) return send(res, 404, 'not found', 'text/plain');
        if (url.pathname.startsWith('/flags')) return send(res, 200, { featureFlags: {}, featureFlagPayloads: {}, errorsWhileComputingFlags: false, flags: {} });
        if ((m = url.pathname.match(/^\/api\/(\d+)\/envelope\/?$/))) {
          const env = parseEnvelope(body);
          const key = url.searchParams.get('sentry_key') || (env.header.dsn && new URL(env.header.dsn).username);
          let replayId = null;
          for (const it of env.items) if (it.header.type === 'replay_event') replayId = JSON.parse(it.payload.toString('utf8')).replay_id;
          for (const it of env.items) {
            if (it.header.type === 'replay_recording') {
              put(key, Object.assign({ kind: 'replay_recording', replay_id: replayId, received: Date.now() }, decodeReplayRecording(it.payload)));
            } else if (it.header.type === 'replay_event') {
              put(key, { kind: 'replay_event', received: Date.now(), event: JSON.parse(it.payload.toString('utf8')) });
            } else {
              put(key, { kind: it.header.type, received: Date.now() });
            }
          }
          return send(res, 200, {});
        }
        if (req.method === 'POST') {
          const { value, compression } = decodePosthogBody(body, url.searchParams.get('compression'), req.headers['content-type']);
          for (const ev of posthogEvents(value)) {
            const token = (ev && ev.properties && ev.properties.token) || ev.api_key || ev.token || 'unknown';
            put(token, { path: url.pathname, compression, received: Date.now(), event: ev });
          }
          return send(res, 200, { status: 1 });
        }
        return send(res, 404, 'not found', 'text/plain');
      } catch (e) {
        errors.push(`${req.method} ${req.url}: ${e.message}`);
        return send(res, 400, { error: e.message });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      port,
      errors,
      take(key) { const r = store.get(key) || []; store.delete(key); return r; },
      close: () => new Promise((r) => server.close(r)),
    }));
  });
}

module.exports = { startCaptureServer, decodePosthogBody, parseEnvelope, decodeReplayRecording, remoteConfig };
