// HTTP/2 rapid reset (CVE-2023-44487) against the gRPC port, with Node's own http2 client: one
// connection opens streams and cancels each at once, far more than the node allows per window.
// The node must end that connection (GOAWAY) rather than keep working for it, and answer a good
// call on a new connection afterwards.
// Usage: node rapid_reset.js --grpc-port G --streams N
// Prints PASS/FAIL per case, then "interop rapid-reset: N cases, F failed"; exit status 0 iff none failed.
'use strict';
const http2 = require('http2');

const arg = (name) => Number(process.argv[process.argv.indexOf(name) + 1]);
const port = arg('--grpc-port');
const streams = arg('--streams');
const LIVE = '/inference.GRPCInferenceService/ServerLive';
const EMPTY = Buffer.alloc(5);
const BOUND_MS = 30000;

function resetFlood() {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`, { peerMaxConcurrentStreams: streams });
    let opened = 0;
    let goaway = null;
    const timer = setTimeout(() => finish(), BOUND_MS);
    function finish() {
      clearTimeout(timer);
      session.destroy();
      resolve({ opened, goaway });
    }
    session.on('error', () => {});
    session.on('goaway', (code) => { goaway = code; });
    session.on('close', finish);
    session.on('connect', () => {
      const burst = () => {
        for (let i = 0; i < 500 && opened < streams && !session.destroyed && !session.closed; i++) {
          let stream;
          try {
            stream = session.request({ ':method': 'POST', ':path': LIVE, 'content-type': 'application/grpc', te: 'trailers' });
          } catch (e) {
            return finish(); // the session is going away
          }
          stream.on('error', () => {});
          stream.close(http2.constants.NGHTTP2_CANCEL);
          opened++;
        }
        if (opened < streams && !session.destroyed && !session.closed) setImmediate(burst);
      };
      burst();
    });
  });
}

function goodCall() {
  return new Promise((resolve) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => resolve(-1));
    const stream = session.request({ ':method': 'POST', ':path': LIVE, 'content-type': 'application/grpc', te: 'trailers' });
    const timer = setTimeout(() => { session.destroy(); resolve(-2); }, BOUND_MS);
    const take = (h) => {
      if (h['grpc-status'] !== undefined) { clearTimeout(timer); session.destroy(); resolve(Number(h['grpc-status'])); }
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.end(EMPTY);
  });
}

(async () => {
  let failed = 0;
  const flood = await resetFlood();
  // ENHANCE_YOUR_CALM (11): grpc-java's reset limit ended the connection, rather than any other close
  if (flood.goaway === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM) {
    console.log(`PASS ${streams} streams opened and cancelled on one connection: GOAWAY ${flood.goaway} after ${flood.opened}`);
  } else {
    failed++;
    console.log(`FAIL ${streams} streams opened and cancelled on one connection: ${JSON.stringify(flood)}`);
  }
  const live = await goodCall();
  if (live === 0) console.log('PASS a good call on a new connection afterwards');
  else { failed++; console.log(`FAIL a good call on a new connection afterwards: ${live}`); }
  console.log(`interop rapid-reset: 2 cases, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
