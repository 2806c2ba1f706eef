// Lean load client of bench/fanout (started by run.py; see its docstring).
//
//   node client.mjs '<json config>'
//
// One process holds N console connections and one publisher. Sockets are raw `net` sockets with
// hand-written websocket framing (client frames masked), so that per delivery the client only
// scans bytes: no JSON parsing, no string or object per message. It speaks
//   raw     — plain websocket pub/sub: GET /sub (consoles) and GET /pub (publisher), one message
//             per text frame, payload "<send µs>|<step>|<seq>|<padding>";
//   sio     — Engine.IO v4 / Socket.IO 4 over a websocket, consoles join a room on connect
//             (?role=sub), the publisher emits "pub" events that the server re-emits as "msg";
//   liveops — the LiveOps console protocol (docs/protocol.md): consoles read a snapshot, then
//             publications; comments POSTed to /api/v1/shows/{id}/events come back as items of
//             `feed` messages. The consoles offer the `liveops.ndjson` subprotocol and always
//             split text frames on "\n", so one frame may hold several messages.
//
// Output: one JSON object per line on stdout ({"kind": "idle"|"step"|"done", ...}).
// Times: the publisher stamps performance.timeOrigin + performance.now() (µs) into every
// message; the consoles read the same clock on arrival, so latency needs no clock sync.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const cfg = JSON.parse(process.argv[2]);
const PROTO = cfg.proto; // 'raw' | 'sio' | 'liveops'
const N = cfg.consoles;
const PORT = cfg.port;
const HOST = '127.0.0.1';
const PAYLOAD = cfg.payload ?? 200;
const TICK_MS = cfg.tickMs ?? (PROTO === 'liveops' ? 5 : 1);
const DURATION = cfg.duration; // seconds of publishing per step
const DRAIN = cfg.drain ?? 3; // seconds allowed after a step for its deliveries to arrive
const RUN_ID = crypto.randomBytes(3).toString('hex');

const ORIGIN_US = performance.timeOrigin * 1000;
const nowUs = () => ORIGIN_US + performance.now() * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const warn = (msg) => process.stderr.write(`[client] ${msg}\n`);

// ---- server process figures (/proc) ----------------------------------------------------------

const CLK_TCK = 100; // USER_HZ on Linux
function serverCpuSeconds() {
  try {
    const stat = fs.readFileSync(`/proc/${cfg.serverPid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return NaN;
  }
}
// Time (s) that each CPU spent running tasks (user + nice + system; interrupts and steal are
// left out): minus the server's (CPU 0) and the client's (CPU 1) own, it is what other
// processes took from the run. This machine is shared, so every step reports it.
function cpuBusySeconds() {
  const busy = [0, 0];
  try {
    for (const line of fs.readFileSync('/proc/stat', 'latin1').split('\n')) {
      const m = /^cpu([01]) (\d+) (\d+) (\d+)/.exec(line);
      if (m) busy[Number(m[1])] = (Number(m[2]) + Number(m[3]) + Number(m[4])) / CLK_TCK;
    }
  } catch {
    return [NaN, NaN];
  }
  return busy;
}

function serverRssKb() {
  try {
    const status = fs.readFileSync(`/proc/${cfg.serverPid}/status`, 'latin1');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  } catch {
    return NaN;
  }
}

// ---- websocket framing -----------------------------------------------------------------------

// A client frame: FIN + opcode, masked with a fresh key (RFC 6455 §5.3).
function clientFrame(opcode, payload) {
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  crypto.randomFillSync(out, head, 4);
  const m0 = out[head], m1 = out[head + 1], m2 = out[head + 2], m3 = out[head + 3];
  const base = head + 4;
  for (let i = 0; i < len; i++) {
    const k = i & 3;
    out[base + i] = payload[i] ^ (k === 0 ? m0 : k === 1 ? m1 : k === 2 ? m2 : m3);
  }
  return out;
}
const textFrame = (str) => clientFrame(0x1, Buffer.from(str, 'utf8'));

// ---- step accounting -------------------------------------------------------------------------

const BIN_US = 10; // latency histogram: 10 µs bins up to 60 s
const BINS = 6_000_000;
const hist = new Uint32Array(BINS);
// LiveOps only: console arrival minus the feed message's `server_time` (ms, the server's wall
// clock when it built the frame): the fan-out part of the latency, without ingest and batching.
const FAN_BINS = 600_000; // 0.1 ms bins up to 60 s
const fanHist = new Uint32Array(FAN_BINS);
let fanCount = 0, fanMaxMs = 0;
let wallOffsetMs = 0; // Date.now() minus (timeOrigin + performance.now()), refreshed per step
function recordFanout(serverTimeMs, arrivedUs) {
  let ms = (arrivedUs / 1000 + wallOffsetMs) - serverTimeMs;
  if (ms < 0) ms = 0;
  if (ms > fanMaxMs) fanMaxMs = ms;
  const bin = Math.floor(ms * 10);
  fanHist[bin < FAN_BINS ? bin : FAN_BINS - 1]++;
  fanCount++;
}
function fanPercentileMs(q) {
  if (fanCount === 0) return null;
  const want = Math.min(fanCount, Math.floor(q * fanCount) + 1);
  let acc = 0;
  for (let i = 0; i < FAN_BINS; i++) {
    acc += fanHist[i];
    if (acc >= want) return (i + 0.5) / 10;
  }
  return fanMaxMs;
}
let step = -1; // the step whose messages are being counted
let seqCap = 1; // upper bound on a step's sequence numbers (bitmap stride)
let seen = new Uint8Array(1); // one bit per (console, seq): exact, duplicate-free counting
let delivered = 0, duplicates = 0, outOfRange = 0, stale = 0, maxUs = 0, lastArrival = 0;
let windowOpen = false;
let counted = false; // set by record() when it counted a delivery

function record(consoleIdx, stepId, seq, sentUs, arrivedUs) {
  if (stepId !== step || !windowOpen) {
    stale++; // a previous step's message, or this step's after its window closed
    return;
  }
  if (seq >= seqCap) {
    outOfRange++;
    return;
  }
  const bit = consoleIdx * seqCap + seq;
  const byte = bit >>> 3, mask = 1 << (bit & 7);
  if (seen[byte] & mask) {
    duplicates++;
    return;
  }
  seen[byte] |= mask;
  delivered++;
  counted = true;
  let lat = arrivedUs - sentUs;
  if (lat < 0) lat = 0;
  if (lat > maxUs) maxUs = lat;
  const bin = Math.floor(lat / BIN_US);
  hist[bin < BINS ? bin : BINS - 1]++;
  lastArrival = arrivedUs;
}

function percentileMs(q) {
  if (delivered === 0) return null;
  const want = Math.min(delivered, Math.floor(q * delivered) + 1);
  let acc = 0;
  for (let i = 0; i < BINS; i++) {
    acc += hist[i];
    if (acc >= want) return ((i + 0.5) * BIN_US) / 1000;
  }
  return maxUs / 1000;
}

// Reads "<digits>|<digits>|<digits>|" at `p`; returns the position after it, or -1.
let parsedT = 0, parsedStep = 0, parsedSeq = 0;
function parseStamp(b, p, end) {
  let v = 0, c;
  while (p < end && (c = b[p]) !== 0x7c) { v = v * 10 + (c - 48); p++; }
  parsedT = v; p++; v = 0;
  while (p < end && (c = b[p]) !== 0x7c) { v = v * 10 + (c - 48); p++; }
  parsedStep = v; p++; v = 0;
  while (p < end && (c = b[p]) !== 0x7c) { v = v * 10 + (c - 48); p++; }
  parsedSeq = v;
  return p < end ? p + 1 : -1;
}

// ---- message handlers per protocol -----------------------------------------------------------

const SIO_PREFIX = 10; // 42["msg","
const MARK = Buffer.from('"text":"@');
const TYPE_PREFIX = Buffer.from('{"type":"');
const FEED_TYPE = Buffer.from('"type":"feed"');
const SNAPSHOT_TYPE = Buffer.from('"type":"snapshot"');

// LiveOps: a text frame holds one or more messages separated by "\n". Comment items are found
// by their text marker; only markers inside `feed` messages count (a snapshot repeats recent
// items, which are not deliveries).
function liveopsFrame(conn, f, arrivedUs) {
  if (!conn.ready) {
    if (f.indexOf(SNAPSHOT_TYPE) >= 0) conn.markReady();
    else return; // nothing comes before the snapshot on a fresh connection
  }
  let p = f.indexOf(MARK);
  if (p < 0) return;
  const end = f.length;
  let segStart = 0, segEnd = -1, isFeed = false, serverTime = 0;
  while (p >= 0) {
    while (p > segEnd) {
      segStart = segEnd + 1;
      segEnd = f.indexOf(10, segStart);
      if (segEnd < 0) segEnd = end;
      isFeed = segmentIsFeed(f, segStart, segEnd);
      serverTime = isFeed ? readServerTime(f, segStart, segEnd) : 0;
    }
    const after = p + MARK.length;
    if (isFeed) {
      const q = parseStamp(f, after, segEnd);
      if (q > 0) {
        counted = false;
        record(conn.idx, parsedStep, parsedSeq, parsedT, arrivedUs);
        if (counted && serverTime > 0) recordFanout(serverTime, arrivedUs);
      }
    }
    p = f.indexOf(MARK, after);
  }
}

const SERVER_TIME = Buffer.from('"server_time":');
function readServerTime(f, start, end) {
  const at = f.indexOf(SERVER_TIME, start);
  if (at < 0 || at >= end) return 0;
  let v = 0;
  for (let p = at + SERVER_TIME.length, c; p < end && (c = f[p]) >= 48 && c <= 57; p++) v = v * 10 + (c - 48);
  return v;
}

function segmentIsFeed(f, start, end) {
  let prefixed = end - start > 13;
  for (let i = 0; prefixed && i < TYPE_PREFIX.length; i++) prefixed = f[start + i] === TYPE_PREFIX[i];
  if (prefixed) return f[start + 9] === 0x66 && f[start + 10] === 0x65; // "fe": feed
  const at = f.indexOf(FEED_TYPE, start); // another key order: look for the type anywhere
  return at >= 0 && at < end;
}

function rawFrame(conn, f, arrivedUs) {
  if (conn.isPublisher) return;
  const q = parseStamp(f, 0, f.length);
  if (q > 0) record(conn.idx, parsedStep, parsedSeq, parsedT, arrivedUs);
}

function sioFrame(conn, f, arrivedUs) {
  const c0 = f[0];
  if (c0 === 0x34 && f[1] === 0x32) { // 42: an event
    if (conn.isPublisher) return;
    const q = parseStamp(f, SIO_PREFIX, f.length);
    if (q > 0) record(conn.idx, parsedStep, parsedSeq, parsedT, arrivedUs);
  } else if (c0 === 0x30) { // 0{...}: Engine.IO open -> connect to the default namespace
    conn.socket.write(textFrame('40'));
  } else if (c0 === 0x34 && f[1] === 0x30) { // 40{...}: namespace joined
    conn.markReady();
  } else if (c0 === 0x32 && f.length === 1) { // 2: ping -> 3: pong
    conn.socket.write(textFrame('3'));
  } else if (c0 === 0x34 && f[1] === 0x34) { // 44: connect error
    conn.fail(new Error(`socket.io refused: ${f.toString('utf8')}`));
  }
}

const handler = PROTO === 'liveops' ? liveopsFrame : PROTO === 'sio' ? sioFrame : rawFrame;
let framesIn = 0; // data frames received by the consoles (a LiveOps frame may carry many items)
function onMessage(conn, f, arrivedUs) {
  if (!conn.isPublisher) framesIn++;
  handler(conn, f, arrivedUs);
}

// ---- connections -----------------------------------------------------------------------------

let closedConsoles = 0;
let ndjsonSelected = 0;
const closeCodes = {};
let shuttingDown = false;

function wsPath(isPublisher) {
  if (PROTO === 'liveops') return `/api/v1/shows/${cfg.showId}/live`;
  if (PROTO === 'sio') return `/socket.io/?EIO=4&transport=websocket&role=${isPublisher ? 'pub' : 'sub'}`;
  return isPublisher ? '/pub' : '/sub';
}

function openWs(idx, isPublisher) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(PORT, HOST);
    socket.setNoDelay(true);
    const conn = { idx, isPublisher, socket, ready: false, closed: false };
    let settled = false;
    conn.markReady = () => {
      if (conn.ready) return;
      conn.ready = true;
      settled = true;
      resolve(conn);
    };
    conn.fail = (err) => {
      if (!settled) { settled = true; reject(err); }
      socket.destroy();
    };
    let handshaken = false;
    let pending = null; // bytes of an incomplete frame
    let fragments = null; // payloads of a fragmented message
    socket.on('error', (err) => conn.fail(err));
    socket.on('close', () => {
      if (!conn.closed && !isPublisher && conn.ready && !shuttingDown) closedConsoles++;
      conn.closed = true;
      if (!settled) { settled = true; reject(new Error('connection closed during the handshake')); }
    });
    socket.on('connect', () => {
      const headers = [
        `GET ${wsPath(isPublisher)} HTTP/1.1`,
        `Host: ${HOST}:${PORT}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
      ];
      if (PROTO === 'liveops') {
        headers.push(`Authorization: Bearer ${cfg.token}`);
        if (cfg.ndjson !== false) headers.push('Sec-WebSocket-Protocol: liveops.ndjson');
      }
      socket.write(headers.join('\r\n') + '\r\n\r\n');
    });
    socket.on('data', (chunk) => {
      const arrivedUs = nowUs(); // one clock read per read(): every frame in it arrived together
      let b = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      let o = 0;
      if (!handshaken) {
        const e = b.indexOf('\r\n\r\n');
        if (e < 0) { pending = b; return; }
        const status = b.toString('latin1', 0, b.indexOf('\r\n'));
        if (!status.startsWith('HTTP/1.1 101')) { conn.fail(new Error(`handshake refused: ${status}`)); return; }
        handshaken = true;
        o = e + 4;
        if (/\r\nsec-websocket-protocol:\s*liveops\.ndjson/i.test(b.toString('latin1', 0, e))) ndjsonSelected++;
        if (PROTO === 'raw') conn.markReady();
      }
      const n = b.length;
      while (o + 2 <= n) {
        const b0 = b[o];
        let len = b[o + 1] & 0x7f, h = 2;
        if (len === 126) {
          if (o + 4 > n) break;
          len = b.readUInt16BE(o + 2); h = 4;
        } else if (len === 127) {
          if (o + 10 > n) break;
          len = Number(b.readBigUInt64BE(o + 2)); h = 10;
        }
        if (o + h + len > n) break;
        const op = b0 & 0x0f, fin = b0 & 0x80;
        const payload = b.subarray(o + h, o + h + len);
        o += h + len;
        if (op === 0x1 || op === 0x2 || op === 0x0) {
          if (!fin || fragments !== null) {
            (fragments ??= []).push(Buffer.from(payload));
            if (!fin) continue;
            const whole = Buffer.concat(fragments);
            fragments = null;
            onMessage(conn, whole, arrivedUs);
          } else {
            onMessage(conn, payload, arrivedUs);
          }
        } else if (op === 0x9) { // ping -> pong with the same payload
          socket.write(clientFrame(0xa, payload));
        } else if (op === 0x8) { // close: note the code, answer, and let go
          const code = len >= 2 ? payload.readUInt16BE(0) : 1005;
          closeCodes[code] = (closeCodes[code] ?? 0) + 1;
          if (!conn.ready) conn.fail(new Error(`closed ${code}: ${payload.toString('utf8', 2)}`));
          socket.end(clientFrame(0x8, payload.subarray(0, 2)));
          return;
        }
      }
      if (o < n) pending = b.subarray(o);
    });
  });
}

// ---- publishers ------------------------------------------------------------------------------

const PAD = 'x'.repeat(PAYLOAD);

// Peers: one message per websocket frame, all frames of a tick in one write.
function wsPublisher(conn) {
  return {
    publish(stepId, seq0, count, sentUs) {
      const t = Math.round(sentUs);
      const frames = new Array(count);
      for (let i = 0; i < count; i++) {
        let body = `${t}|${stepId}|${seq0 + i}|`;
        body += PAD.slice(0, Math.max(0, PAYLOAD - body.length));
        frames[i] = textFrame(PROTO === 'sio' ? `42["pub","${body}"]` : body);
      }
      conn.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
      return count;
    },
    pendingCount: () => 0,
    drained: () => Promise.resolve(),
    stats: () => ({}),
  };
}

// LiveOps: comments POSTed in batches over keep-alive HTTP. A batch is stamped when it is due
// and queued; it goes out on the first free connection, so time spent waiting for one counts
// as latency (no coordinated omission).
function httpPublisher() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.httpConnections ?? 8 });
  const path = `/api/v1/shows/${cfg.showId}/events`;
  const queue = [];
  let inflight = 0, posts = 0, rejected = 0, failed = 0, postMsTotal = 0, postMsMax = 0;
  let accepted = 0;
  let idleWaiters = [];
  // text = "@<µs>|<step>|<seq>|" + padding, sized so that the feed item is ~PAYLOAD bytes.
  const itemOverhead = '{"kind":"comment","id":"c000000-0-000000","ts":1700000000000,"viewer_id":"u000","text":""}'.length;
  const textLen = Math.max(32, PAYLOAD - itemOverhead);
  const pump = () => {
    while (queue.length && inflight < (cfg.httpConnections ?? 8)) {
      const { body, count } = queue.shift();
      inflight++;
      const started = performance.now();
      const req = http.request({
        host: HOST, port: PORT, method: 'POST', path, agent,
        headers: {
          Authorization: `Bearer ${cfg.token}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const ms = performance.now() - started;
          posts++; postMsTotal += ms; if (ms > postMsMax) postMsMax = ms;
          if (res.statusCode === 200) {
            const answer = JSON.parse(Buffer.concat(parts).toString('utf8'));
            accepted += answer.accepted;
            rejected += count - answer.accepted;
            if (answer.accepted !== count && rejected <= count) warn(`POST answered ${JSON.stringify(answer).slice(0, 300)}`);
          } else {
            failed += count;
            if (failed <= count) warn(`POST ${res.statusCode}: ${Buffer.concat(parts).toString('utf8').slice(0, 300)}`);
          }
          done();
        });
      });
      req.on('error', (err) => { failed += count; warn(`POST failed: ${err.message}`); done(); });
      req.end(body);
    }
  };
  const done = () => {
    inflight--;
    pump();
    if (inflight === 0 && queue.length === 0) { const w = idleWaiters; idleWaiters = []; w.forEach((f) => f()); }
  };
  return {
    publish(stepId, seq0, count, sentUs) {
      const t = Math.round(sentUs);
      const ts = new Date(t / 1000).toISOString();
      const events = new Array(count);
      for (let i = 0; i < count; i++) {
        const seq = seq0 + i;
        let text = `@${t}|${stepId}|${seq}|`;
        text += PAD.slice(0, Math.max(0, textLen - text.length));
        events[i] = `{"id":"c${RUN_ID}-${stepId}-${seq}","type":"comment","ts":"${ts}","viewer_id":"u${seq % 1000}","text":"${text}"}`;
      }
      queue.push({ body: `{"events":[${events.join(',')}]}`, count });
      pump();
      return count;
    },
    pendingCount: () => queue.length + inflight,
    drained: () => (inflight === 0 && queue.length === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r))),
    stats: () => ({ posts, accepted, post_ms_mean: posts ? +(postMsTotal / posts).toFixed(2) : null, post_ms_max: +postMsMax.toFixed(1), events_rejected: rejected, events_failed: failed }),
    reset: () => { posts = 0; accepted = 0; rejected = 0; failed = 0; postMsTotal = 0; postMsMax = 0; },
  };
}

// ---- the run ---------------------------------------------------------------------------------

async function connectConsoles() {
  const conns = [];
  const wave = cfg.connectConcurrency ?? 50;
  for (let i = 0; i < N; i += wave) {
    const batch = [];
    for (let k = i; k < Math.min(N, i + wave); k++) batch.push(openWs(k, false));
    conns.push(...(await Promise.all(batch)));
  }
  return conns;
}

async function waitQuiet(ms, limitMs) {
  // Until no message of an older step has arrived for `ms` (a saturated step's backlog).
  const deadline = performance.now() + limitMs;
  let last = stale;
  let since = performance.now();
  while (performance.now() < deadline) {
    await sleep(50);
    if (stale !== last) { last = stale; since = performance.now(); }
    else if (performance.now() - since >= ms) return;
  }
}

async function runStep(stepId, offered, publisher) {
  const rate = offered / N; // messages per second
  const expectedMsgs = Math.floor(rate * DURATION);
  seqCap = Math.max(1, expectedMsgs + 1);
  seen = new Uint8Array(Math.ceil((N * seqCap) / 8));
  hist.fill(0);
  fanHist.fill(0);
  fanCount = 0; fanMaxMs = 0;
  wallOffsetMs = Date.now() - nowUs() / 1000;
  framesIn = 0;
  delivered = 0; duplicates = 0; outOfRange = 0; maxUs = 0; lastArrival = 0;
  const closedBefore = closedConsoles;
  publisher.reset?.();
  step = stepId;
  windowOpen = true;

  const cpu0 = serverCpuSeconds(), client0 = process.cpuUsage(), t0 = performance.now();
  const busy0 = cpuBusySeconds();
  const t0Us = nowUs();
  let sent = 0;
  await new Promise((finish) => {
    const tick = () => {
      const elapsed = (performance.now() - t0) / 1000;
      const due = Math.min(expectedMsgs, Math.floor(rate * elapsed) + (sent === 0 ? 1 : 0));
      if (due > sent) sent += publisher.publish(stepId, sent, due - sent, nowUs());
      if (sent >= expectedMsgs || elapsed >= DURATION + 1) return finish();
      setTimeout(tick, TICK_MS);
    };
    tick();
  });
  const expected = sent * N;
  const deadline = t0 + (DURATION + DRAIN) * 1000;
  while (delivered < expected && performance.now() < deadline) await sleep(10);
  windowOpen = false;
  const wall = (performance.now() - t0) / 1000;
  const serverCpu = serverCpuSeconds() - cpu0;
  const clientUsage = process.cpuUsage(client0);
  const busy1 = cpuBusySeconds();
  const clientPct = (100 * (clientUsage.user + clientUsage.system)) / 1e6 / wall;
  const span = Math.max(DURATION, (lastArrival - t0Us) / 1e6);
  const latePct = expected ? (100 * (expected - delivered)) / expected : 0;
  const result = {
    kind: 'step',
    step: stepId,
    offered_per_s: offered,
    rate_msgs_per_s: +rate.toFixed(3),
    msgs_sent: sent,
    deliveries_expected: expected,
    delivered,
    late_lost_pct: +latePct.toFixed(3),
    duplicates,
    deliveries_per_s: Math.round(delivered / span),
    console_frames_per_s: Math.round(framesIn / wall),
    p50_ms: round(percentileMs(0.5), 2),
    p99_ms: round(percentileMs(0.99), 2),
    max_ms: round(delivered ? maxUs / 1000 : null, 1),
    ...(PROTO === 'liveops' ? {
      fanout_p50_ms: round(fanPercentileMs(0.5), 1),
      fanout_p99_ms: round(fanPercentileMs(0.99), 1),
    } : {}),
    server_cpu_pct: Math.round((100 * serverCpu) / wall),
    server_us_per_delivery: delivered ? +((1e6 * serverCpu) / delivered).toFixed(2) : null,
    client_cpu_pct: Math.round(clientPct),
    client_limited: clientPct >= 90,
    other_cpu0_pct: Math.max(0, Math.round((100 * (busy1[0] - busy0[0] - serverCpu)) / wall)),
    other_cpu1_pct: Math.max(0, Math.round(
      (100 * (busy1[1] - busy0[1] - (clientUsage.user + clientUsage.system) / 1e6)) / wall)),
    consoles_closed: closedConsoles - closedBefore,
    close_codes: { ...closeCodes },
    wall_s: +wall.toFixed(2),
    ...publisher.stats(),
  };
  if (outOfRange) result.out_of_range = outOfRange;
  emit(result);
  return result;
}

const round = (v, d) => (v === null || v === undefined ? null : +v.toFixed(d));

async function main() {
  const watchdog = setTimeout(() => { warn('time limit reached'); process.exit(3); }, (cfg.timeLimit ?? 600) * 1000);
  watchdog.unref();
  await sleep(300);
  const rss0 = serverRssKb();
  const connectStart = performance.now();
  const consoles = await connectConsoles();
  const connectSeconds = (performance.now() - connectStart) / 1000;
  await sleep((cfg.idleSettle ?? 2) * 1000);
  const rss1 = serverRssKb();
  emit({
    kind: 'idle',
    consoles: consoles.length,
    connect_s: +connectSeconds.toFixed(2),
    server_rss_before_kb: rss0,
    server_rss_after_kb: rss1,
    rss_per_console_kb: +((rss1 - rss0) / consoles.length).toFixed(2),
    ndjson_offered: PROTO === 'liveops' && cfg.ndjson !== false,
    ndjson_selected: ndjsonSelected,
  });

  let publisher;
  if (PROTO === 'liveops') publisher = httpPublisher();
  else publisher = wsPublisher(await openWs(-1, true));
  await sleep(500);

  for (let i = 0; i < cfg.steps.length; i++) {
    const r = await runStep(i, cfg.steps[i], publisher);
    await publisher.drained();
    if (r.late_lost_pct > (cfg.stopLatePct ?? 5) || (r.p99_ms ?? 0) > (cfg.stopP99Ms ?? 2000)) {
      emit({ kind: 'stopped', after_step: i, reason: 'saturated' });
      break;
    }
    if (closedConsoles >= N) break;
    await waitQuiet(300, 5000);
    await sleep((cfg.pause ?? 0.5) * 1000);
  }
  shuttingDown = true;
  emit({ kind: 'done', consoles_closed: closedConsoles, close_codes: closeCodes });
  for (const c of consoles) c.socket.destroy();
  process.exit(0);
}

main().catch((err) => {
  warn(`error: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
