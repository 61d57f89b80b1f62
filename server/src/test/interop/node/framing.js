// Raw HTTP/2 against the gRPC port, with Node's own http2 client: frames no gRPC library would
// send (issue 17 item 9). Every stream must be answered (a grpc-status or a stream reset) and the
// node must answer a good call after each.
// Usage: node framing.js --grpc-port G [--flood N]
// Prints PASS/FAIL per case, then "interop framing: N cases, F failed"; exit status 0 iff none failed.
'use strict';
const http2 = require('http2');

const port = Number(process.argv[process.argv.indexOf('--grpc-port') + 1]);
const ANSWER_BOUND_MS = 10000;
const LIVE = '/inference.GRPCInferenceService/ServerLive';
const INFER = '/inference.GRPCInferenceService/ModelInfer';

function frame(flag, payload) {
  const b = Buffer.alloc(5 + payload.length);
  b[0] = flag;
  b.writeUInt32BE(payload.length, 1);
  payload.copy(b, 5);
  return b;
}
const EMPTY = frame(0, Buffer.alloc(0));

/** One call on a fresh connection: resolves to {status, message} or {reset: code}, or {unanswered}. */
function call(path, headers, body) {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    const stream = session.request(Object.assign({ ':method': 'POST', ':path': path,
      'content-type': 'application/grpc', te: 'trailers' }, headers));
    let outcome = null;
    const timer = setTimeout(() => finish({ unanswered: true }), ANSWER_BOUND_MS);
    function finish(result) {
      if (outcome) return;
      outcome = result;
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    }
    const take = (h) => {
      if (h['grpc-status'] !== undefined) {
        finish({ status: Number(h['grpc-status']), message: decodeURIComponent(h['grpc-message'] || '') });
      }
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => {});
    stream.on('error', () => finish({ reset: stream.rstCode }));
    stream.on('close', () => finish(stream.rstCode ? { reset: stream.rstCode } : { unanswered: true }));
    stream.end(body);
  });
}

const big = Buffer.alloc(5);
big.writeUInt32BE(120 * 1024 * 1024, 1);

const CASES = [
  ['a good call', LIVE, {}, EMPTY, (r) => r.status === 0],
  ['compressed flag without grpc-encoding', LIVE, {}, frame(1, Buffer.from([1, 2, 3])), (r) => r.status === 13],
  ['grpc-encoding gzip with bytes that are not gzip', LIVE, { 'grpc-encoding': 'gzip' },
    frame(1, Buffer.from('not gzip at all')), (r) => r.status > 0 || r.reset],
  ['a 3-byte body (half a length prefix)', LIVE, {}, Buffer.from([0, 0, 0]), (r) => r.status === 13],
  ['invalid base64 in -bin metadata', LIVE, { 'x-trace-bin': '!!!not base64!!!' }, EMPTY,
    (r) => r.status > 0 || r.reset],
  ['an unknown method', '/inference.GRPCInferenceService/Nope', {}, EMPTY, (r) => r.status === 12],
  ['an unknown service', '/foo.Bar/Baz', {}, EMPTY, (r) => r.status === 12],
  // refused from the 5-byte prefix: the 120 MiB are never sent, so an answer proves nothing was awaited
  ['a 120 MiB length prefix and no message', INFER, {}, big, (r) => r.status === 8],
  ['grpc-timeout at its legal maximum (99999999H)', LIVE, { 'grpc-timeout': '99999999H' }, EMPTY,
    (r) => r.status === 0],
  ['a grpc-timeout that is not one', LIVE, { 'grpc-timeout': 'abc' }, EMPTY, (r) => r.status > 0 || r.reset],
  // the HPACK hang on the old HTTP/2 server: one literal longer than the 4096-byte dynamic table
  ['metadata of 4100 bytes (over the HPACK table)', LIVE, { 'x-big': 'a'.repeat(4100) }, EMPTY,
    (r) => r.status === 0],
  ['metadata over the header-list limit', LIVE, { 'x-huge': 'a'.repeat(64 * 1024) }, EMPTY,
    (r) => r.status > 0 || r.reset],
];

/** count streams with invalid -bin metadata on one connection; resolves to how many were answered. */
function flood(count) {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    let answered = 0;
    let settled = 0;
    const timer = setTimeout(() => { session.destroy(); resolve(answered); }, ANSWER_BOUND_MS);
    for (let i = 0; i < count; i++) {
      const stream = session.request({ ':method': 'POST', ':path': LIVE, 'content-type': 'application/grpc',
        te: 'trailers', 'x-trace-bin': '!!!' });
      const done = (ok) => {
        if (stream.lanesSettled) return;
        stream.lanesSettled = true;
        if (ok) answered++;
        if (++settled === count) { clearTimeout(timer); session.destroy(); resolve(answered); }
      };
      stream.on('response', () => done(true));
      stream.on('error', () => done(stream.rstCode > 0));
      stream.on('close', () => done(stream.rstCode > 0));
      stream.on('data', () => {});
      stream.end(EMPTY);
    }
  });
}

(async () => {
  let failed = 0;
  for (const [name, path, headers, body, expected] of CASES) {
    const result = await call(path, headers, body);
    const live = await call(LIVE, {}, EMPTY);
    if (!result.unanswered && expected(result) && live.status === 0) {
      console.log(`PASS ${name}: ${JSON.stringify(result)}`);
    } else {
      failed++;
      console.log(`FAIL ${name}: ${JSON.stringify(result)}, then a good call: ${JSON.stringify(live)}`);
    }
  }
  const floodIndex = process.argv.indexOf('--flood');
  let cases = CASES.length;
  if (floodIndex > 0) {
    const count = Number(process.argv[floodIndex + 1]);
    const answered = await flood(count);
    cases++;
    if (answered === count) console.log(`PASS ${count} malformed streams on one connection: all answered`);
    else { failed++; console.log(`FAIL ${count} malformed streams on one connection: ${answered} answered`); }
  }
  console.log(`interop framing: ${cases} cases, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
