'use strict';
// Lanes gRPC interop client on @grpc/grpc-js: the interop matrix against a running node.
// Usage: node interop.js --rest-port R --grpc-port G --proto-path DIR [--proto-path DIR ...]
// Prints one line per case (PASS name / FAIL name: reason), then a summary; exit status 0 iff every case passed.
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const http = require('http');

const TOKEN = 'interop-token';
const SLOW_WIDTH = 1024;
const DEADLINE_MS = 60000; // on every call that has no tighter deadline of its own
const TOTAL_BOUND_MS = 300000; // for the whole run
const AFFINE_W = [0.5, -1, 2, 1.5, 0.25, -0.5, -2, 1, 0.75, 1, 2, -1]; // TestModels.AFFINE_W, row-major 4x3
const AFFINE_B = [0.1, -0.2, 0.3];
const MODELS = ['affine', 'mixed', 'echo_text', 'echo', 'slow', 'failing', 'spare', 'broken'];
const S = grpc.status;
const codeName = (code) => Object.keys(S).find((k) => S[k] === code) || String(code);

class CaseFailed extends Error {}
function check(condition, message) {
  if (!condition) throw new CaseFailed(message);
}

function parseArgs(argv) {
  const args = { protoPaths: [] };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--rest-port') args.rest = Number(argv[i + 1]);
    else if (argv[i] === '--grpc-port') args.grpc = Number(argv[i + 1]);
    else if (argv[i] === '--proto-path') args.protoPaths.push(argv[i + 1]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!args.rest || !args.grpc || !args.protoPaths.length) {
    throw new Error('usage: --rest-port R --grpc-port G --proto-path DIR');
  }
  return args;
}

// ---------------- the node: one channel for everything ----------------
let node; // set in main
function makeNode({ rest, grpc: grpcPort, protoPaths }) {
  const files = ['grpc_service.proto', 'model_config.proto', 'health.proto', 'reflection.proto'];
  const definition = protoLoader.loadSync(files, { includeDirs: protoPaths, keepCase: true, longs: Number,
    enums: String, bytes: Buffer, defaults: true, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition);
  const client = new loaded.inference.GRPCInferenceService(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
  const health = new loaded.grpc.health.v1.Health('unused', grpc.credentials.createInsecure(),
    { channelOverride: client.getChannel() });
  const reflection = definition['grpc.reflection.v1alpha.ServerReflection'].ServerReflectionInfo;
  return { rest, client, health, reflection };
}

const deadline = (ms = DEADLINE_MS) => ({ deadline: Date.now() + ms });
function call(target, method, request, { ms, metadata } = {}) {
  return new Promise((resolve, reject) => {
    target[method](request, metadata || new grpc.Metadata(), deadline(ms),
      (err, res) => (err ? reject(err) : resolve(res)));
  });
}
const rpc = (method, request, options) => call(node.client, method, request, options);
const infer = (request, options) => rpc('ModelInfer', request, options);

async function codeOf(promise) {
  try {
    await promise;
    return { code: S.OK, details: '' };
  } catch (e) {
    if (e.code === undefined) throw e;
    return { code: e.code, details: e.details };
  }
}
async function expectCode(expected, promise, what) {
  const { code, details } = await codeOf(promise);
  check(code === expected,
    `${what}: got ${codeName(code)} (${JSON.stringify(details)}), expected ${codeName(expected)}`);
}
function auth(token) {
  const md = new grpc.Metadata();
  if (token) md.add('authorization', `Bearer ${token}`);
  return md;
}

const rawRequest = (model, name, datatype, shape, raw, fields = {}) =>
  ({ model_name: model, ...fields, inputs: [{ name, datatype, shape }], raw_input_contents: [raw] });
const affineRaw = (x, model = 'affine', fields = {}) =>
  rawRequest(model, 'x', 'FP32', [x.length / 4, 4], floatsBuf(x), fields);
const slow = (rows) => rawRequest('slow', 'x', 'FP32', [rows, SLOW_WIDTH], Buffer.alloc(rows * SLOW_WIDTH * 4));

function floatsBuf(values) {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}
function unpack(kind, buf) {
  const [size, read] = { f: [4, 'readFloatLE'], d: [8, 'readDoubleLE'], i: [4, 'readInt32LE'], q: [8, 'readBigInt64LE'],
    '?': [1, 'readUInt8'] }[kind];
  const out = [];
  for (let i = 0; i + size <= buf.length; i += size) out.push(buf[read](i));
  return kind === 'q' ? out.map(Number) : kind === '?' ? out.map((v) => v !== 0) : out;
}
function bytesElements(buf) {
  const out = [];
  for (let i = 0; i < buf.length;) {
    const n = buf.readUInt32LE(i);
    out.push(buf.subarray(i + 4, i + 4 + n));
    i += 4 + n;
  }
  return out;
}
function affineExpected(x) {
  const y = [];
  for (let r = 0; r < x.length / 4; r++) {
    for (let j = 0; j < 3; j++) {
      let sum = Math.fround(AFFINE_B[j]);
      for (let i = 0; i < 4; i++) sum += Math.fround(x[r * 4 + i]) * Math.fround(AFFINE_W[i * 3 + j]);
      y.push(sum);
    }
  }
  return y;
}
function close(actual, expected, what) {
  check(actual.length === expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  actual.forEach((a, i) => check(Math.abs(a - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])),
    `${what}[${i}] = ${a}, expected ${expected[i]}`));
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// ---------------- metrics ----------------
function metric(name, labels) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: node.rest, path: '/metrics', timeout: 10000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => {
        for (const line of text.split('\n')) {
          const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
          if (!m || m[1] !== name) continue;
          const pairs = [...(m[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)];
          const found = Object.fromEntries(pairs.map((g) => [g[1], g[2]]));
          const keys = Object.keys(labels);
          if (Object.keys(found).length === keys.length && keys.every((k) => found[k] === labels[k])) {
            return resolve(Number(m[3]));
          }
        }
        resolve(0); // not printed yet
      });
    });
    req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
    req.on('error', reject);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function awaitMetric(predicate, name, labels, seconds = 30) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await metric(name, labels);
    if (predicate(value)) return value;
    if (Date.now() > end) throw new CaseFailed(`${name}${JSON.stringify(labels)} stayed at ${value} for ${seconds} s`);
    await sleep(10);
  }
}
async function awaitIdle(model) {
  await awaitMetric((v) => v === 0, 'inference_executing_requests', { model });
  await awaitMetric((v) => v === 0, 'inference_queue_length', { model });
}

// ---------------- 1. every rpc ----------------
async function server_live_and_ready() {
  check((await rpc('ServerLive', {})).live, 'ServerLive.live is false');
  check((await rpc('ServerReady', {})).ready, 'ServerReady.ready is false');
}

async function model_ready_ready_not_ready_and_unknown() {
  const ready = async (name, version = '') => (await rpc('ModelReady', { name, version })).ready;
  check(await ready('affine'), 'affine not ready');
  check(await ready('affine', '1'), 'affine version 1 not ready');
  check(!(await ready('broken')), 'broken reported ready');
  await expectCode(S.NOT_FOUND, ready('nope'), 'ModelReady(nope)');
}

async function server_metadata_names_lanes() {
  const md = await rpc('ServerMetadata', {});
  check(md.name === 'lanes', `name ${md.name}`);
  check(md.extensions.includes('binary_tensor_data'), `extensions ${md.extensions}`);
}

async function model_metadata_describes_mixed() {
  const md = await rpc('ModelMetadata', { name: 'mixed' });
  check(same(md.versions, ['1']), `versions ${md.versions}`);
  check(md.platform === 'onnxruntime_onnx', `platform ${md.platform}`);
  const first = md.inputs[0];
  check(same([first.name, first.datatype, first.shape], ['a', 'INT32', [-1, 3]]), `input 0 ${JSON.stringify(first)}`);
  const outputs = md.outputs.map((o) => o.name);
  check(same(outputs, ['sum', 'neg', 'positive', 'wide']), `outputs ${outputs}`);
  await expectCode(S.NOT_FOUND, rpc('ModelMetadata', { name: 'mixed', version: '9' }), 'ModelMetadata(mixed, 9)');
}

async function model_config_is_the_demo_affine_config() {
  const c = (await rpc('ModelConfig', { name: 'affine' })).config;
  check(c.name === 'affine' && c.max_batch_size === 8, `name ${c.name} max_batch_size ${c.max_batch_size}`);
  check(same(c.dynamic_batching.preferred_batch_size, [4, 8]), `preferred ${c.dynamic_batching.preferred_batch_size}`);
  check(c.dynamic_batching.default_queue_policy.max_queue_size === 256, 'max_queue_size is not 256');
  check(c.instance_group.reduce((n, g) => n + g.count, 0) === 2, `instance_group ${JSON.stringify(c.instance_group)}`);
}

async function model_statistics_count_each_inference() {
  const count = async () => {
    const stats = (await rpc('ModelStatistics', { name: 'affine' })).model_stats;
    check(stats.length === 1 && stats[0].name === 'affine', `model_stats ${JSON.stringify(stats)}`);
    return stats[0].inference_count;
  };
  const before = await count();
  const salt = Math.random(); // fresh inputs: affine has a response cache, and cache hits are not inferences
  for (let i = 0; i < 5; i++) await infer(affineRaw([salt, i, -i, 1]));
  const end = Date.now() + 5000;
  while ((await count()) < before + 5 && Date.now() < end) await sleep(20);
  const after = await count();
  check(after === before + 5, `inference_count went from ${before} to ${after} after 5 inferences`);
}

async function repository_index_lists_every_model() {
  const index = Object.fromEntries((await rpc('RepositoryIndex', {})).models.map((m) => [m.name, m]));
  check(MODELS.every((m) => m in index), `index has ${Object.keys(index)}`);
  check(index.affine.state === 'READY', `affine state ${index.affine.state}`);
  check(index.broken.state !== 'READY' && index.broken.reason, `broken entry ${JSON.stringify(index.broken)}`);
}

async function management_needs_the_token() {
  for (const method of ['RepositoryModelLoad', 'RepositoryModelUnload']) {
    await expectCode(S.UNAUTHENTICATED, rpc(method, { model_name: 'spare' }), `${method} without token`);
    await expectCode(S.PERMISSION_DENIED, rpc(method, { model_name: 'spare' }, { metadata: auth('not-the-token') }),
      `${method} with another token`);
  }
}

async function unload_and_load_spare() {
  await rpc('RepositoryModelUnload', { model_name: 'spare' }, { metadata: auth(TOKEN) });
  // An unloaded model is answered like an unknown one: NOT_FOUND, not ready=false; the index still lists it.
  await expectCode(S.NOT_FOUND, rpc('ModelReady', { name: 'spare' }), 'ModelReady(spare) after unload');
  const spare = (await rpc('RepositoryIndex', {})).models.filter((m) => m.name === 'spare');
  check(spare.length === 1 && spare[0].state !== 'READY', `index entries for unloaded spare: ${JSON.stringify(spare)}`);
  await rpc('RepositoryModelLoad', { model_name: 'spare' }, { metadata: auth(TOKEN) });
  check((await rpc('ModelReady', { name: 'spare' })).ready, 'spare not ready after load');
  close(unpack('f', (await infer(affineRaw([1, 2, 3, 4], 'spare'))).raw_output_contents[0]),
    affineExpected([1, 2, 3, 4]), 'spare y');
}

async function health_check_serving() {
  const statuses = {};
  for (const service of ['', 'inference.GRPCInferenceService']) {
    statuses[service] = (await call(node.health, 'Check', { service })).status;
  }
  check(Object.values(statuses).every((s) => s === 'SERVING'), `statuses ${JSON.stringify(statuses)}`);
}

async function reflection_lists_services() {
  // v1alpha and v1 share their messages, so one pair of serializers serves both paths.
  for (const path of ['/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
    '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo']) {
    const answers = await new Promise((resolve, reject) => {
      const stream = node.client.makeBidiStreamRequest(path, node.reflection.requestSerialize,
        node.reflection.responseDeserialize, new grpc.Metadata(), deadline());
      const got = [];
      stream.on('data', (d) => got.push(d));
      stream.on('error', reject);
      stream.on('end', () => resolve(got));
      stream.write({ list_services: '' });
      stream.end();
    });
    check(answers.length === 1, `${path}: ${answers.length} answers`);
    const names = answers[0].list_services_response.service.map((s) => s.name);
    for (const wanted of ['inference.GRPCInferenceService', 'grpc.health.v1.Health']) {
      check(names.includes(wanted), `${path}: services ${names}`);
    }
  }
}

async function reflection_finds_the_file_of_a_symbol() {
  // What grpcurl and Postman ask first: the descriptor of the file that defines a service.
  const answers = await new Promise((resolve, reject) => {
    const stream = node.client.makeBidiStreamRequest('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      node.reflection.requestSerialize, node.reflection.responseDeserialize, new grpc.Metadata(), deadline());
    const got = [];
    stream.on('data', (d) => got.push(d));
    stream.on('error', reject);
    stream.on('end', () => resolve(got));
    stream.write({ file_containing_symbol: 'inference.GRPCInferenceService' });
    stream.write({ file_containing_symbol: 'inference.NoSuchService' });
    stream.end();
  });
  check(answers.length === 2, `${answers.length} answers`);
  const files = answers[0].file_descriptor_response;
  check(files && files.file_descriptor_proto.length >= 1, `no descriptor: ${JSON.stringify(answers[0])}`);
  check(Buffer.from(files.file_descriptor_proto[0]).toString('latin1').includes('grpc_service.proto'),
    'the descriptor is not grpc_service.proto');
  check(answers[1].error_response && answers[1].error_response.error_code === 5,
    `unknown symbol: ${JSON.stringify(answers[1])}`);
}

// ---------------- 2-4. ModelInfer ----------------
const X = [1, 2, 3, 4, -1, 0.5, 2, 0];
function checkAffine(resp, x) {
  check(resp.model_name === 'affine' && resp.model_version === '1', `model ${resp.model_name} ${resp.model_version}`);
  const out = resp.outputs[0];
  check(same([out.name, out.datatype, out.shape], ['y', 'FP32', [x.length / 4, 3]]), `output ${JSON.stringify(out)}`);
  check(!out.contents && resp.raw_output_contents.length === 1, 'output not in raw_output_contents');
  close(unpack('f', resp.raw_output_contents[0]), affineExpected(x), 'y');
}

async function infer_affine_typed_contents() {
  checkAffine(await infer({ model_name: 'affine',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4], contents: { fp32_contents: X } }] }), X);
}

async function infer_affine_raw_contents() {
  checkAffine(await infer(affineRaw(X)), X);
}

const A = [1, -7, 3, 100000, -2147483647, 0];
const B = [0.5, -2.0, 0.0, 1e-300, 3.25, -0.0];
function checkMixed(resp, names = ['sum', 'neg', 'positive', 'wide']) {
  const got = resp.outputs.map((o) => o.name);
  check(same(got, names), `outputs ${got}, expected ${names}`);
  check(resp.raw_output_contents.length === names.length, `${resp.raw_output_contents.length} raw outputs`);
  const expected = { sum: ['FP64', 'd', A.map((a, i) => a + B[i])], neg: ['INT32', 'i', A.map((a) => -a)],
    positive: ['BOOL', '?', B.map((b) => b > 0)], wide: ['INT64', 'q', A] };
  resp.outputs.forEach((out, i) => {
    const [datatype, kind, values] = expected[out.name];
    check(out.datatype === datatype && same(out.shape, [2, 3]), `${out.name}: ${out.datatype} ${out.shape}`);
    const actual = unpack(kind, resp.raw_output_contents[i]);
    check(same(actual, values), `${out.name} = ${actual}, expected ${values}`);
  });
}
const mixedTyped = () => ({ model_name: 'mixed', inputs: [
  { name: 'a', datatype: 'INT32', shape: [2, 3], contents: { int_contents: A } },
  { name: 'b', datatype: 'FP64', shape: [2, 3], contents: { fp64_contents: B } }] });

async function infer_mixed_typed_contents() {
  checkMixed(await infer(mixedTyped()));
}

async function infer_mixed_raw_contents() {
  const a = Buffer.alloc(24);
  const b = Buffer.alloc(48);
  A.forEach((v, i) => a.writeInt32LE(v, i * 4));
  B.forEach((v, i) => b.writeDoubleLE(v, i * 8));
  checkMixed(await infer({ model_name: 'mixed', inputs: [{ name: 'a', datatype: 'INT32', shape: [2, 3] },
    { name: 'b', datatype: 'FP64', shape: [2, 3] }], raw_input_contents: [a, b] }));
}

// Valid UTF-8 only: ONNX Runtime's Java API carries strings as text, so the node refuses other
// bytes (errors_invalid_argument) instead of altering them.
const TEXTS = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from('gr\u00fc\u00dfe \u2713'), Buffer.from('\u0000nul')];
function checkEchoText(resp) {
  const out = resp.outputs[0];
  check(same([out.name, out.datatype, out.shape], ['out', 'BYTES', [1, TEXTS.length]]),
    `output ${JSON.stringify(out)}`);
  const got = bytesElements(resp.raw_output_contents[0]);
  const hex = (list) => list.map((b) => b.toString('hex')).join(',');
  check(hex(got) === hex(TEXTS), `elements (hex) ${hex(got)}, expected ${hex(TEXTS)}`);
}

async function infer_echo_text_typed_bytes() {
  checkEchoText(await infer({ model_name: 'echo_text',
    inputs: [{ name: 'in', datatype: 'BYTES', shape: [1, TEXTS.length], contents: { bytes_contents: TEXTS } }] }));
}

async function infer_echo_text_raw_bytes() {
  const raw = Buffer.concat(TEXTS.flatMap((t) => {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(t.length);
    return [n, t];
  }));
  checkEchoText(await infer(rawRequest('echo_text', 'in', 'BYTES', [1, TEXTS.length], raw)));
}

async function infer_selected_outputs_only() {
  checkMixed(await infer({ ...mixedTyped(), outputs: [{ name: 'sum' }, { name: 'positive' }] }), ['sum', 'positive']);
}

async function infer_request_id_comes_back() {
  check((await infer(affineRaw([1, 2, 3, 4], 'affine', { id: 'node-id-42' }))).id === 'node-id-42', 'id not echoed');
  check((await infer(affineRaw([1, 2, 3, 5]))).id === '', 'id set on a request without one');
}

// ---------------- 5. error statuses ----------------
async function errors_invalid_argument() {
  for (const [what, request] of [
    ['12 raw bytes for [1,4] FP32', rawRequest('affine', 'x', 'FP32', [1, 4], Buffer.alloc(12))],
    ['datatype INT32 for FP32', rawRequest('affine', 'x', 'INT32', [1, 4], Buffer.alloc(16))],
    ["version 'x'", affineRaw([0, 0, 0, 0], 'affine', { model_version: 'x' })],
    ["unknown output 'q'", affineRaw([0, 0, 0, 0], 'affine', { outputs: [{ name: 'q' }] })],
    ['missing input x', { model_name: 'affine' }],
    ['BYTES that are not UTF-8', rawRequest('echo_text', 'in', 'BYTES', [1, 1], Buffer.from([2, 0, 0, 0, 0xff, 0xfe]))]]) {
    await expectCode(S.INVALID_ARGUMENT, infer(request), what);
  }
}

async function errors_not_found() {
  await expectCode(S.NOT_FOUND, infer(affineRaw([0, 0, 0, 0], 'nope')), 'unknown model');
  await expectCode(S.NOT_FOUND, infer(affineRaw([0, 0, 0, 0], 'affine', { model_version: '3' })), 'unknown version 3');
}

async function errors_unavailable_broken_model() {
  const { code, details } = await codeOf(infer(rawRequest('broken', 'x', 'FP32', [1, 4], Buffer.alloc(16))));
  // a node that is not there answers UNAVAILABLE too, so the description must be about the model
  check(code === S.UNAVAILABLE && details.includes('broken'),
    `broken: got ${codeName(code)} (${JSON.stringify(details)})`);
}

async function errors_unavailable_slow_overloaded() {
  await awaitIdle('slow');
  const codes = (await Promise.all(Array.from({ length: 12 }, () => codeOf(infer(slow(8)))))).map((r) => r.code);
  const names = codes.map(codeName).sort();
  check(codes.includes(S.OK) && codes.includes(S.UNAVAILABLE), `codes ${names}`);
  check(codes.every((c) => c === S.OK || c === S.UNAVAILABLE), `codes ${names}`);
}

async function errors_resource_exhausted_message_over_1mib() {
  await expectCode(S.RESOURCE_EXHAUSTED, infer(rawRequest('affine', 'x', 'FP32', [1, 4], Buffer.alloc(1536 * 1024))),
    '1.5 MiB message');
}

async function errors_resource_exhausted_too_many_elements() {
  await expectCode(S.RESOURCE_EXHAUSTED, infer(rawRequest('affine', 'x', 'FP32', [300000, 4], Buffer.alloc(16))),
    '[300000,4] with 16 bytes');
}

async function errors_internal_runtime_failure() {
  await expectCode(S.INTERNAL, infer(rawRequest('failing', 'x', 'FP32', [2, 4], Buffer.alloc(32))), 'failing [2,4]');
}

async function errors_unimplemented_method() {
  const identity = (b) => b;
  await expectCode(S.UNIMPLEMENTED, new Promise((resolve, reject) => node.client.makeUnaryRequest(
    '/inference.GRPCInferenceService/NoSuchMethod', identity, identity, Buffer.alloc(0), new grpc.Metadata(),
    deadline(),
    (err, res) => (err ? reject(err) : resolve(res)))), 'NoSuchMethod');
}

async function errors_cancelled_in_flight() {
  await awaitIdle('slow');
  let inFlight;
  const outcome = new Promise((resolve) => {
    inFlight = node.client.ModelInfer(slow(64), deadline(), (err) => resolve(err ? err.code : S.OK));
  });
  await awaitMetric((v) => v >= 1, 'inference_executing_requests', { model: 'slow' });
  inFlight.cancel();
  const code = await outcome;
  check(code === S.CANCELLED, `code ${codeName(code)}`);
  await awaitIdle('slow'); // the node finishes the batch and drops the answer
}

// ---------------- 6-8. deadlines, cancellation storms, load ----------------
async function deadline_expires_while_queued() {
  await awaitIdle('slow');
  const slowLabels = { model: 'slow' };
  const batches = await metric('inference_batch_size_count', slowLabels);
  const timeouts = await metric('inference_queue_timeouts_total', slowLabels);
  const longCall = infer(slow(64));
  longCall.catch(() => {}); // awaited below; keeps an early failure from being unhandled
  await awaitMetric((v) => v >= 1, 'inference_executing_requests', slowLabels);
  // Three at once, 300 ms each: they fill the queue (it holds 3) behind the running batch, and
  // 300 ms is long enough that each reaches the queue before its deadline on a busy machine.
  const deadlineAt = Date.now() + 300;
  const codes = (await Promise.all([0, 1, 2].map(() => codeOf(infer(slow(1), { ms: 300 })))))
    // At its copy of the deadline the server resets the stream (RST_STREAM CANCEL); when that beats
    // grpc-js's own timer, grpc-js 1.14.7 reports CANCELLED. grpc-java and grpc-go clients re-check
    // the deadline on CANCELLED (see grpc/grpc#27216, grpc/grpc-go#2211); so does this client.
    .map(({ code }) => (code === S.CANCELLED && Date.now() >= deadlineAt ? S.DEADLINE_EXCEEDED : code));
  check(codes.every((c) => c === S.DEADLINE_EXCEEDED), `short calls: ${codes.map(codeName)}`);
  const y = await longCall;
  check(y.raw_output_contents[0].length === 64 * SLOW_WIDTH * 4, `${y.raw_output_contents[0].length} bytes back`);
  await awaitMetric((v) => v >= timeouts + 3, 'inference_queue_timeouts_total', slowLabels);
  const grew = (await metric('inference_batch_size_count', slowLabels)) - batches;
  check(grew === 1, `${grew} batches ran, expected only the long call's`);
}

async function thousand_cancelled_calls_leave_node_serving() {
  const width = 65536; // 256 KB calls: a burst of them outruns the node, so calls are still in flight when cancelled
  const outcomes = [];
  for (let i = 0; i < 1000; i++) {
    const request = i % 4 === 0 ? affineRaw([i, 1, 2, 3])
      : rawRequest('echo', 'in', 'FP32', [1, width], Buffer.alloc(width * 4).fill(floatsBuf([i])));
    outcomes.push(new Promise((resolve) => {
      const c = node.client.ModelInfer(request, deadline(), (err) => resolve(err || { code: S.OK }));
      setTimeout(() => c.cancel(), Math.random() * 20); // shortly after it started
    }));
    if (i % 50 === 49) await sleep(1); // lets the calls go out while later ones are still being started
  }
  const counts = {};
  const odd = [];
  (await Promise.all(outcomes)).forEach(({ code, details }, i) => {
    counts[codeName(code)] = (counts[codeName(code)] || 0) + 1;
    if (code !== S.OK && code !== S.CANCELLED) odd.push(`call ${i}: ${codeName(code)} ${JSON.stringify(details)}`);
  });
  check(!odd.length && counts.CANCELLED, `outcomes ${JSON.stringify(counts)}; ${odd.slice(0, 3)}`);
  check((await rpc('ServerLive', {})).live, 'ServerLive false');
  checkAffine(await infer(affineRaw(X)), X);
  for (const model of ['echo', 'affine']) await awaitMetric((v) => v === 0, 'inference_queue_length', { model });
}

// Keeps `concurrency` echo calls in flight on the one channel; each answer must be its own request.
async function sustain(concurrency, width, seconds) {
  const end = Date.now() + seconds * 1000;
  let issued = 0;
  let answered = 0;
  let open = 0;
  const failures = [];
  await new Promise((done) => {
    const launch = () => {
      while (open < concurrency && Date.now() < end && !failures.length) {
        const id = issued++;
        const raw = Buffer.alloc(width * 4);
        raw.writeFloatLE(id, 0);
        raw.writeFloatLE(-id, raw.length - 4);
        open++;
        node.client.ModelInfer(rawRequest('echo', 'in', 'FP32', [1, width], raw), deadline(), (err, res) => {
          open--;
          if (err) failures.push(`${codeName(err.code)}: ${err.details}`);
          else {
            answered++;
            if (!res.raw_output_contents[0].equals(raw)) failures.push(`call ${id} got another answer`);
          }
          if (open === 0 && (Date.now() >= end || failures.length)) done();
          else launch();
        });
      }
    };
    launch();
  });
  check(!failures.length, `${failures.length} failed calls, first: ${failures[0]}`);
  check(answered === issued, `${answered} answers for ${issued} calls`);
  check(issued > concurrency, `only ${issued} calls`);
}

async function one_channel_64_concurrent_110kb_calls() {
  await sustain(64, 27500, 6);
}

async function one_channel_256_concurrent_small_calls() {
  await sustain(256, 4, 4);
}

const CASES = [server_live_and_ready, model_ready_ready_not_ready_and_unknown, server_metadata_names_lanes,
  model_metadata_describes_mixed, model_config_is_the_demo_affine_config, model_statistics_count_each_inference,
  repository_index_lists_every_model, management_needs_the_token, unload_and_load_spare, health_check_serving,
  reflection_lists_services, reflection_finds_the_file_of_a_symbol, infer_affine_typed_contents, infer_affine_raw_contents, infer_mixed_typed_contents,
  infer_mixed_raw_contents, infer_echo_text_typed_bytes, infer_echo_text_raw_bytes, infer_selected_outputs_only,
  infer_request_id_comes_back, errors_invalid_argument, errors_not_found, errors_unavailable_broken_model,
  errors_resource_exhausted_message_over_1mib, errors_resource_exhausted_too_many_elements,
  errors_internal_runtime_failure, errors_unimplemented_method, errors_unavailable_slow_overloaded,
  errors_cancelled_in_flight, deadline_expires_while_queued, thousand_cancelled_calls_leave_node_serving,
  one_channel_64_concurrent_110kb_calls, one_channel_256_concurrent_small_calls];

async function main() {
  process.exitCode = 1; // anything short of the summary below is a failure
  const watchdog = setTimeout(() => { // a hung server must fail the run, not stall it
    console.log(`FAIL run: still running after ${TOTAL_BOUND_MS / 1000} s`);
    process.exit(3);
  }, TOTAL_BOUND_MS);
  const version = require('@grpc/grpc-js/package.json').version;
  const loaderVersion = require('@grpc/proto-loader/package.json').version;
  console.log(`interop node: @grpc/grpc-js ${version}, @grpc/proto-loader ${loaderVersion}, Node ${process.version}`);
  node = makeNode(parseArgs(process.argv.slice(2)));
  let failed = 0;
  for (const testCase of CASES) {
    try {
      await testCase();
      console.log(`PASS ${testCase.name}`);
    } catch (e) {
      failed++;
      if (e instanceof CaseFailed) console.log(`FAIL ${testCase.name}: ${e.message}`);
      else if (e.code !== undefined && e.details !== undefined) {
        console.log(`FAIL ${testCase.name}: unexpected ${codeName(e.code)}: ${e.details}`);
      } else console.log(`FAIL ${testCase.name}: ${e && e.stack ? e.stack.split('\n').slice(0, 2).join(' ') : e}`);
    }
  }
  console.log(`interop node: ${CASES.length} cases, ${failed} failed`);
  clearTimeout(watchdog);
  node.client.close();
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`FAIL run: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
