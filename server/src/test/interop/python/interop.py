"""Lanes gRPC interop client on Python grpcio (C-core): the interop matrix against a running node.

Usage: /usr/bin/python3 interop.py --rest-port R --grpc-port G --proto-path DIR [--proto-path DIR ...] [--work DIR]
Prints one line per case (PASS name / FAIL name: reason), then a summary; exit status 0 iff every case passed.
"""
import argparse
import collections
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import grpc

TOKEN = "interop-token"
SLOW_WIDTH = 1024
DEADLINE = 60.0          # seconds, on every call that has no tighter deadline of its own
TOTAL_BOUND = 300.0      # seconds for the whole run
AFFINE_W = [0.5, -1, 2, 1.5, 0.25, -0.5, -2, 1, 0.75, 1, 2, -1]  # TestModels.AFFINE_W, row-major 4x3
AFFINE_B = [0.1, -0.2, 0.3]
MODELS = ["affine", "mixed", "echo_text", "echo", "slow", "failing", "spare", "broken"]
SC = grpc.StatusCode


class CaseFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailed(message)


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def generate_stubs(proto_paths, work):
    files = ["grpc_service.proto", "model_config.proto", "health.proto", "reflection.proto"]
    for f in files:
        if not any(os.path.isfile(os.path.join(d, f)) for d in proto_paths):
            raise SystemExit(f"{f} is on none of the proto paths {proto_paths}")
    cmd = [sys.executable, "-m", "grpc_tools.protoc", *[f"-I{d}" for d in proto_paths],
           f"--python_out={work}", f"--grpc_python_out={work}", *files]
    subprocess.run(cmd, check=True, timeout=120)
    sys.path.insert(0, work)  # the generated modules import each other by top-level name


class Node:
    """The stubs and helpers every case shares; one channel for everything."""

    def __init__(self, rest_port, grpc_port):
        import grpc_service_pb2, grpc_service_pb2_grpc, health_pb2, reflection_pb2
        self.pb, self.health_pb, self.refl_pb = grpc_service_pb2, health_pb2, reflection_pb2
        self.rest = f"http://127.0.0.1:{rest_port}"
        self.channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
        self.stub = grpc_service_pb2_grpc.GRPCInferenceServiceStub(self.channel)
        self.health = self.channel.unary_unary("/grpc.health.v1.Health/Check",
                                               request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                               response_deserializer=health_pb2.HealthCheckResponse.FromString)

    # --- requests ---
    def raw_request(self, model, name, datatype, shape, raw, **fields):
        req = self.pb.ModelInferRequest(model_name=model, **fields)
        req.inputs.add(name=name, datatype=datatype, shape=shape)
        req.raw_input_contents.append(raw)
        return req

    def affine_raw(self, x, model="affine", **fields):
        return self.raw_request(model, "x", "FP32", [len(x) // 4, 4], floats_bytes(x), **fields)

    def slow(self, rows):
        return self.raw_request("slow", "x", "FP32", [rows, SLOW_WIDTH], bytes(rows * SLOW_WIDTH * 4))

    def infer(self, req, timeout=DEADLINE, **kw):
        return self.stub.ModelInfer(req, timeout=timeout, **kw)

    # --- metrics ---
    def metric(self, name, **labels):
        """The sample whose name and full label set match; 0 when the node has not printed it yet."""
        with urllib.request.urlopen(self.rest + "/metrics", timeout=10) as r:
            text = r.read().decode()
        for line in text.splitlines():
            m = re.match(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)", line)
            if not m or m.group(1) != name:
                continue
            found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
            if found == labels:
                return float(m.group(3))
        return 0.0

    def await_metric(self, predicate, name, seconds=30, **labels):
        end = time.monotonic() + seconds
        while True:
            value = self.metric(name, **labels)
            if predicate(value):
                return value
            if time.monotonic() > end:
                raise CaseFailed(f"{name}{labels} stayed at {value} for {seconds} s")
            time.sleep(0.01)

    def await_idle(self, model):
        self.await_metric(lambda v: v == 0, "inference_executing_requests", model=model)
        self.await_metric(lambda v: v == 0, "inference_queue_length", model=model)


def floats_bytes(values):
    return struct.pack(f"<{len(values)}f", *values)


def unpack(fmt, raw):
    size = struct.calcsize("<" + fmt)
    return list(struct.unpack(f"<{len(raw) // size}{fmt}", raw))


def bytes_elements(raw):
    out, i = [], 0
    while i < len(raw):
        (n,) = struct.unpack_from("<I", raw, i)
        out.append(raw[i + 4:i + 4 + n])
        i += 4 + n
    return out


def affine_expected(x):
    xs = [f32(v) for v in x]
    return [f32(AFFINE_B[j]) + sum(xs[r * 4 + i] * f32(AFFINE_W[i * 3 + j]) for i in range(4))
            for r in range(len(x) // 4) for j in range(3)]


def close(actual, expected, what):
    check(len(actual) == len(expected), f"{what}: {len(actual)} values, expected {len(expected)}")
    for i, (a, e) in enumerate(zip(actual, expected)):
        check(abs(a - e) <= 1e-5 * max(1.0, abs(e)), f"{what}[{i}] = {a}, expected {e}")


def code_of(call):
    """Runs call; returns (status code, details), OK when it succeeded."""
    try:
        call()
        return SC.OK, ""
    except grpc.RpcError as e:
        return e.code(), e.details()


def expect_code(expected, call, what):
    code, details = code_of(call)
    check(code == expected, f"{what}: got {code.name} ({details!r}), expected {expected.name}")


# ---------------- 1. every rpc ----------------
def server_live_and_ready(n):
    check(n.stub.ServerLive(n.pb.ServerLiveRequest(), timeout=DEADLINE).live, "ServerLive.live is false")
    check(n.stub.ServerReady(n.pb.ServerReadyRequest(), timeout=DEADLINE).ready, "ServerReady.ready is false")


def model_ready_ready_not_ready_and_unknown(n):
    ready = lambda name, version="": n.stub.ModelReady(n.pb.ModelReadyRequest(name=name, version=version),
                                                        timeout=DEADLINE).ready
    check(ready("affine"), "affine not ready")
    check(ready("affine", "1"), "affine version 1 not ready")
    check(not ready("broken"), "broken reported ready")
    expect_code(SC.NOT_FOUND, lambda: ready("nope"), "ModelReady(nope)")


def server_metadata_names_lanes(n):
    md = n.stub.ServerMetadata(n.pb.ServerMetadataRequest(), timeout=DEADLINE)
    check(md.name == "lanes", f"name {md.name!r}")
    check("binary_tensor_data" in md.extensions, f"extensions {list(md.extensions)}")


def model_metadata_describes_mixed(n):
    md = n.stub.ModelMetadata(n.pb.ModelMetadataRequest(name="mixed"), timeout=DEADLINE)
    check(list(md.versions) == ["1"], f"versions {list(md.versions)}")
    check(md.platform == "onnxruntime_onnx", f"platform {md.platform!r}")
    first = md.inputs[0]
    check((first.name, first.datatype, list(first.shape)) == ("a", "INT32", [-1, 3]), f"input 0 {first}")
    check([o.name for o in md.outputs] == ["sum", "neg", "positive", "wide"], f"outputs {[o.name for o in md.outputs]}")
    expect_code(SC.NOT_FOUND, lambda: n.stub.ModelMetadata(n.pb.ModelMetadataRequest(name="mixed", version="9"),
                                                           timeout=DEADLINE), "ModelMetadata(mixed, 9)")


def model_config_is_the_demo_affine_config(n):
    c = n.stub.ModelConfig(n.pb.ModelConfigRequest(name="affine"), timeout=DEADLINE).config
    check(c.name == "affine" and c.max_batch_size == 8, f"name {c.name!r} max_batch_size {c.max_batch_size}")
    preferred = list(c.dynamic_batching.preferred_batch_size)
    check(preferred == [4, 8], f"preferred_batch_size {preferred}")
    check(c.dynamic_batching.default_queue_policy.max_queue_size == 256, "max_queue_size is not 256")
    check(sum(g.count for g in c.instance_group) == 2, f"instance_group {c.instance_group}")


def model_statistics_count_each_inference(n):
    def count():
        stats = n.stub.ModelStatistics(n.pb.ModelStatisticsRequest(name="affine"), timeout=DEADLINE).model_stats
        check(len(stats) == 1 and stats[0].name == "affine", f"model_stats {stats}")
        return stats[0].inference_count
    before = count()
    salt = random.random()  # fresh inputs: affine has a response cache, and cache hits are not inferences
    for i in range(5):
        n.infer(n.affine_raw([salt, i, -i, 1]))
    end = time.monotonic() + 5
    while count() < before + 5 and time.monotonic() < end:
        time.sleep(0.02)
    check(count() == before + 5, f"inference_count went from {before} to {count()} after 5 inferences")


def repository_index_lists_every_model(n):
    index = {m.name: m for m in n.stub.RepositoryIndex(n.pb.RepositoryIndexRequest(), timeout=DEADLINE).models}
    check(set(MODELS) <= set(index), f"index has {sorted(index)}")
    check(index["affine"].state == "READY", f"affine state {index['affine'].state}")
    check(index["broken"].state != "READY" and index["broken"].reason, f"broken entry {index['broken']}")


def management_needs_the_token(n):
    for rpc, req in [(n.stub.RepositoryModelLoad, n.pb.RepositoryModelLoadRequest(model_name="spare")),
                     (n.stub.RepositoryModelUnload, n.pb.RepositoryModelUnloadRequest(model_name="spare"))]:
        expect_code(SC.UNAUTHENTICATED, lambda: rpc(req, timeout=DEADLINE), f"{type(req).__name__} without token")
        expect_code(SC.PERMISSION_DENIED, lambda: rpc(req, timeout=DEADLINE,
                                                      metadata=[("authorization", "Bearer not-the-token")]),
                    f"{type(req).__name__} with another token")


def unload_and_load_spare(n):
    auth = [("authorization", "Bearer " + TOKEN)]
    ready_req = n.pb.ModelReadyRequest(name="spare")
    n.stub.RepositoryModelUnload(n.pb.RepositoryModelUnloadRequest(model_name="spare"), timeout=DEADLINE, metadata=auth)
    # An unloaded model is answered like an unknown one: NOT_FOUND, not ready=false; the index still lists it.
    expect_code(SC.NOT_FOUND, lambda: n.stub.ModelReady(ready_req, timeout=DEADLINE), "ModelReady(spare) after unload")
    spare = [m for m in n.stub.RepositoryIndex(n.pb.RepositoryIndexRequest(), timeout=DEADLINE).models
             if m.name == "spare"]
    check(len(spare) == 1 and spare[0].state != "READY", f"index entries for unloaded spare: {spare}")
    n.stub.RepositoryModelLoad(n.pb.RepositoryModelLoadRequest(model_name="spare"), timeout=DEADLINE, metadata=auth)
    check(n.stub.ModelReady(ready_req, timeout=DEADLINE).ready, "spare not ready after load")
    close(unpack("f", n.infer(n.affine_raw([1, 2, 3, 4], "spare")).raw_output_contents[0]),
          affine_expected([1, 2, 3, 4]), "spare y")


def health_check_serving(n):
    statuses = {service: n.health_pb.HealthCheckResponse.ServingStatus.Name(
        n.health(n.health_pb.HealthCheckRequest(service=service), timeout=DEADLINE).status)
        for service in ["", "inference.GRPCInferenceService"]}
    check(set(statuses.values()) == {"SERVING"}, f"statuses {statuses}")


def reflection_lists_services(n):
    # v1alpha and v1 share their messages, so one pair of serializers serves both paths.
    for path in ["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                 "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"]:
        call = n.channel.stream_stream(path, request_serializer=n.refl_pb.ServerReflectionRequest.SerializeToString,
                                       response_deserializer=n.refl_pb.ServerReflectionResponse.FromString)
        answers = list(call(iter([n.refl_pb.ServerReflectionRequest(list_services="")]), timeout=DEADLINE))
        check(len(answers) == 1, f"{path}: {len(answers)} answers")
        names = [s.name for s in answers[0].list_services_response.service]
        for wanted in ["inference.GRPCInferenceService", "grpc.health.v1.Health"]:
            check(wanted in names, f"{path}: services {names}")


def reflection_finds_the_file_of_a_symbol(n):
    # What grpcurl and Postman ask first: the descriptor of the file that defines a service.
    call = n.channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                   request_serializer=n.refl_pb.ServerReflectionRequest.SerializeToString,
                                   response_deserializer=n.refl_pb.ServerReflectionResponse.FromString)
    answers = list(call(iter([n.refl_pb.ServerReflectionRequest(file_containing_symbol="inference.GRPCInferenceService"),
                              n.refl_pb.ServerReflectionRequest(file_containing_symbol="inference.NoSuchService")]),
                        timeout=DEADLINE))
    check(len(answers) == 2, f"{len(answers)} answers")
    files = answers[0].file_descriptor_response.file_descriptor_proto
    check(len(files) >= 1 and b"grpc_service.proto" in files[0], f"no descriptor of grpc_service.proto: {answers[0]}")
    check(answers[1].error_response.error_code == 5, f"unknown symbol: {answers[1]}")


# ---------------- 2-4. ModelInfer ----------------
X = [1, 2, 3, 4, -1, 0.5, 2, 0]


def check_affine(resp, x):
    check(resp.model_name == "affine" and resp.model_version == "1", f"model {resp.model_name} {resp.model_version}")
    out = resp.outputs[0]
    check((out.name, out.datatype, list(out.shape)) == ("y", "FP32", [len(x) // 4, 3]), f"output {out}")
    check(not out.HasField("contents") and len(resp.raw_output_contents) == 1, "output not in raw_output_contents")
    close(unpack("f", resp.raw_output_contents[0]), affine_expected(x), "y")


def infer_affine_typed_contents(n):
    req = n.pb.ModelInferRequest(model_name="affine")
    req.inputs.add(name="x", datatype="FP32", shape=[2, 4]).contents.fp32_contents.extend(X)
    check_affine(n.infer(req), X)


def infer_affine_raw_contents(n):
    check_affine(n.infer(n.affine_raw(X)), X)


A = [1, -7, 3, 100000, -2147483647, 0]
B = [0.5, -2.0, 0.0, 1e-300, 3.25, -0.0]


def check_mixed(resp, names=("sum", "neg", "positive", "wide")):
    got = [o.name for o in resp.outputs]
    check(got == list(names), f"outputs {got}, expected {list(names)}")
    check(len(resp.raw_output_contents) == len(names), f"{len(resp.raw_output_contents)} raw outputs")
    expected = {"sum": ("FP64", "d", [a + b for a, b in zip(A, B)]), "neg": ("INT32", "i", [-a for a in A]),
                "positive": ("BOOL", "?", [b > 0 for b in B]), "wide": ("INT64", "q", A)}
    for out, raw in zip(resp.outputs, resp.raw_output_contents):
        datatype, fmt, values = expected[out.name]
        check(out.datatype == datatype and list(out.shape) == [2, 3], f"{out.name}: {out.datatype} {list(out.shape)}")
        check(unpack(fmt, raw) == values, f"{out.name} = {unpack(fmt, raw)}, expected {values}")


def mixed_typed(n):
    req = n.pb.ModelInferRequest(model_name="mixed")
    req.inputs.add(name="a", datatype="INT32", shape=[2, 3]).contents.int_contents.extend(A)
    req.inputs.add(name="b", datatype="FP64", shape=[2, 3]).contents.fp64_contents.extend(B)
    return req


def infer_mixed_typed_contents(n):
    check_mixed(n.infer(mixed_typed(n)))


def infer_mixed_raw_contents(n):
    req = n.pb.ModelInferRequest(model_name="mixed")
    req.inputs.add(name="a", datatype="INT32", shape=[2, 3])
    req.inputs.add(name="b", datatype="FP64", shape=[2, 3])
    req.raw_input_contents.extend([struct.pack("<6i", *A), struct.pack("<6d", *B)])
    check_mixed(n.infer(req))


# Valid UTF-8 only: ONNX Runtime's Java API carries strings as text, so the node refuses other
# bytes (errors_invalid_argument) instead of altering them.
TEXTS = [b"hello", b"", "gr\u00fc\u00dfe \u2713".encode(), b"\x00nul"]


def check_echo_text(resp):
    out = resp.outputs[0]
    check((out.name, out.datatype, list(out.shape)) == ("out", "BYTES", [1, len(TEXTS)]), f"output {out}")
    got = bytes_elements(resp.raw_output_contents[0])
    check(got == TEXTS, f"elements {got}, expected {TEXTS}")


def infer_echo_text_typed_bytes(n):
    req = n.pb.ModelInferRequest(model_name="echo_text")
    req.inputs.add(name="in", datatype="BYTES", shape=[1, len(TEXTS)]).contents.bytes_contents.extend(TEXTS)
    check_echo_text(n.infer(req))


def infer_echo_text_raw_bytes(n):
    raw = b"".join(struct.pack("<I", len(t)) + t for t in TEXTS)
    check_echo_text(n.infer(n.raw_request("echo_text", "in", "BYTES", [1, len(TEXTS)], raw)))


def infer_selected_outputs_only(n):
    req = mixed_typed(n)
    req.outputs.add(name="sum")
    req.outputs.add(name="positive")
    check_mixed(n.infer(req), ("sum", "positive"))


def infer_request_id_comes_back(n):
    check(n.infer(n.affine_raw([1, 2, 3, 4], id="py-id-42")).id == "py-id-42", "id not echoed")
    check(n.infer(n.affine_raw([1, 2, 3, 5])).id == "", "id set on a request without one")


# ---------------- 5. error statuses ----------------
def errors_invalid_argument(n):
    extra_output = n.affine_raw([0, 0, 0, 0])
    extra_output.outputs.add(name="q")
    for what, req in [("12 raw bytes for [1,4] FP32", n.raw_request("affine", "x", "FP32", [1, 4], bytes(12))),
                      ("datatype INT32 for FP32", n.raw_request("affine", "x", "INT32", [1, 4], bytes(16))),
                      ("version 'x'", n.affine_raw([0, 0, 0, 0], model_version="x")),
                      ("unknown output 'q'", extra_output),
                      ("missing input x", n.pb.ModelInferRequest(model_name="affine")),
                      ("BYTES that are not UTF-8", n.raw_request("echo_text", "in", "BYTES", [1, 1],
                                                                 struct.pack("<I", 2) + b"\xff\xfe"))]:
        expect_code(SC.INVALID_ARGUMENT, lambda: n.infer(req), what)


def errors_not_found(n):
    expect_code(SC.NOT_FOUND, lambda: n.infer(n.affine_raw([0] * 4, "nope")), "unknown model")
    expect_code(SC.NOT_FOUND, lambda: n.infer(n.affine_raw([0] * 4, model_version="3")), "unknown version 3")


def errors_unavailable_broken_model(n):
    code, details = code_of(lambda: n.infer(n.raw_request("broken", "x", "FP32", [1, 4], bytes(16))))
    # a node that is not there answers UNAVAILABLE too, so the description must be about the model
    check(code == SC.UNAVAILABLE and "broken" in details, f"broken: got {code.name} ({details!r})")


def errors_unavailable_slow_overloaded(n):
    n.await_idle("slow")
    futures = [n.stub.ModelInfer.future(n.slow(8), timeout=DEADLINE) for _ in range(12)]
    codes = [f.code() for f in futures]  # code() waits for the call to end
    names = sorted(c.name for c in codes)
    check(SC.OK in codes and SC.UNAVAILABLE in codes, f"codes {names}")
    check(all(c in (SC.OK, SC.UNAVAILABLE) for c in codes), f"codes {names}")


def errors_resource_exhausted_message_over_1mib(n):
    req = n.raw_request("affine", "x", "FP32", [1, 4], bytes(1536 * 1024))
    expect_code(SC.RESOURCE_EXHAUSTED, lambda: n.infer(req), "1.5 MiB message")


def errors_resource_exhausted_too_many_elements(n):
    req = n.raw_request("affine", "x", "FP32", [300000, 4], bytes(16))
    expect_code(SC.RESOURCE_EXHAUSTED, lambda: n.infer(req), "[300000,4] with 16 bytes")


def errors_internal_runtime_failure(n):
    req = n.raw_request("failing", "x", "FP32", [2, 4], bytes(32))
    expect_code(SC.INTERNAL, lambda: n.infer(req), "failing [2,4]")


def errors_unimplemented_method(n):
    call = n.channel.unary_unary("/inference.GRPCInferenceService/NoSuchMethod")  # bytes in, bytes out
    expect_code(SC.UNIMPLEMENTED, lambda: call(b"", timeout=DEADLINE), "NoSuchMethod")


def errors_cancelled_in_flight(n):
    n.await_idle("slow")
    future = n.stub.ModelInfer.future(n.slow(64), timeout=DEADLINE)
    n.await_metric(lambda v: v >= 1, "inference_executing_requests", model="slow")
    check(future.cancel(), "the call finished before it could be cancelled")
    check(future.code() == SC.CANCELLED, f"code {future.code()}")
    n.await_idle("slow")  # the node finishes the batch and drops the answer


# ---------------- 6-8. deadlines, cancellation storms, load ----------------
def deadline_expires_while_queued(n):
    n.await_idle("slow")
    batches = n.metric("inference_batch_size_count", model="slow")
    timeouts = n.metric("inference_queue_timeouts_total", model="slow")
    long_call = n.stub.ModelInfer.future(n.slow(64), timeout=DEADLINE)
    n.await_metric(lambda v: v >= 1, "inference_executing_requests", model="slow")
    # Three at once, 300 ms each: they fill the queue (it holds 3) behind the running batch, and
    # 300 ms is long enough that each reaches the queue before its deadline on a busy machine.
    short = [n.stub.ModelInfer.future(n.slow(1), timeout=0.3) for _ in range(3)]
    codes = [f.code() for f in short]
    check(codes == [SC.DEADLINE_EXCEEDED] * 3, f"short calls: {[c.name for c in codes]}")
    y = long_call.result()
    check(len(y.raw_output_contents[0]) == 64 * SLOW_WIDTH * 4, f"{len(y.raw_output_contents[0])} bytes back")
    n.await_metric(lambda v: v >= timeouts + 3, "inference_queue_timeouts_total", model="slow")
    grew = n.metric("inference_batch_size_count", model="slow") - batches
    check(grew == 1, f"{grew} batches ran, expected only the long call's")


def thousand_cancelled_calls_leave_node_serving(n):
    width = 65536  # 256 KB calls: a burst of them outruns the node, so calls are still in flight at 20 ms
    calls, pending = [], collections.deque()

    def cancel_older_than(seconds):
        while pending and time.monotonic() - pending[0][0] >= seconds:
            pending.popleft()[1].cancel()
    for i in range(1000):
        req = (n.affine_raw([i, 1, 2, 3]) if i % 4 == 0
               else n.raw_request("echo", "in", "FP32", [1, width], struct.pack("<f", i) * width))
        calls.append(n.stub.ModelInfer.future(req, timeout=DEADLINE))
        pending.append((time.monotonic(), calls[-1]))
        # Each call is cancelled 20 ms after it started, not at once: grpcio 1.51's C-core can send
        # RST_STREAM for a stream whose HEADERS it has not written yet when a call is cancelled
        # immediately (grpc/grpc#19655, #38758); the server then closes the whole connection.
        cancel_older_than(0.02)
    while pending:
        cancel_older_than(0.02)
        time.sleep(0.001)
    codes, odd = {}, []
    for i, f in enumerate(calls):
        codes[f.code().name] = codes.get(f.code().name, 0) + 1
        if f.code() not in (SC.OK, SC.CANCELLED):
            odd.append(f"call {i} ({'affine' if i % 4 == 0 else 'echo'}): {f.code().name} {f.details()!r}")
    check(not odd and "CANCELLED" in codes, f"outcomes {codes}; {odd[:3]}")
    check(n.stub.ServerLive(n.pb.ServerLiveRequest(), timeout=DEADLINE).live, "ServerLive false")
    check_affine(n.infer(n.affine_raw(X)), X)
    for model in ("echo", "affine"):
        n.await_metric(lambda v: v == 0, "inference_queue_length", model=model)


def sustain(n, concurrency, width, seconds):
    """Keeps concurrency echo calls in flight on the one channel; each answer must be its own request."""
    slots = threading.Semaphore(concurrency)
    lock = threading.Lock()
    state = {"answered": 0, "failures": []}
    base = bytearray(width * 4)
    issued, end = 0, time.monotonic() + seconds

    def done(future, raw):
        try:
            out = future.result().raw_output_contents[0]
            ok = out == raw
            with lock:
                state["answered"] += 1
                if not ok:
                    state["failures"].append(f"call {struct.unpack_from('<f', raw)[0]} got another answer")
        except Exception as e:  # grpc.RpcError or a cancelled future
            with lock:
                state["failures"].append(repr(e)[:300])
        finally:
            slots.release()

    while time.monotonic() < end and not state["failures"]:
        if not slots.acquire(timeout=DEADLINE):
            raise CaseFailed("no call finished within the deadline")
        struct.pack_into("<f", base, 0, issued)
        struct.pack_into("<f", base, len(base) - 4, -issued)
        raw = bytes(base)
        f = n.stub.ModelInfer.future(n.raw_request("echo", "in", "FP32", [1, width], raw), timeout=DEADLINE)
        f.add_done_callback(lambda fut, raw=raw: done(fut, raw))
        issued += 1
    for _ in range(concurrency):
        check(slots.acquire(timeout=DEADLINE + 5), "calls still open after the deadline")
    check(not state["failures"], f"{len(state['failures'])} failed calls, first: {state['failures'][:1]}")
    check(state["answered"] == issued, f"{state['answered']} answers for {issued} calls")
    check(issued > concurrency, f"only {issued} calls")
    return issued


def one_channel_64_concurrent_110kb_calls(n):
    sustain(n, 64, 27500, 6)


def one_channel_256_concurrent_small_calls(n):
    sustain(n, 256, 4, 4)


CASES = [server_live_and_ready, model_ready_ready_not_ready_and_unknown, server_metadata_names_lanes,
         model_metadata_describes_mixed, model_config_is_the_demo_affine_config,
         model_statistics_count_each_inference, repository_index_lists_every_model, management_needs_the_token,
         unload_and_load_spare, health_check_serving, reflection_lists_services,
         reflection_finds_the_file_of_a_symbol,
         infer_affine_typed_contents, infer_affine_raw_contents, infer_mixed_typed_contents, infer_mixed_raw_contents,
         infer_echo_text_typed_bytes, infer_echo_text_raw_bytes, infer_selected_outputs_only,
         infer_request_id_comes_back, errors_invalid_argument, errors_not_found, errors_unavailable_broken_model,
         errors_resource_exhausted_message_over_1mib, errors_resource_exhausted_too_many_elements,
         errors_internal_runtime_failure, errors_unimplemented_method, errors_unavailable_slow_overloaded,
         errors_cancelled_in_flight, deadline_expires_while_queued, thousand_cancelled_calls_leave_node_serving,
         one_channel_64_concurrent_110kb_calls, one_channel_256_concurrent_small_calls]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rest-port", type=int, required=True)
    parser.add_argument("--grpc-port", type=int, required=True)
    parser.add_argument("--proto-path", action="append", required=True)
    parser.add_argument("--work")
    args = parser.parse_args()

    def give_up():  # a hung server must fail the run, not stall it
        print(f"FAIL run: still running after {TOTAL_BOUND:.0f} s", flush=True)
        os._exit(3)
    watchdog = threading.Timer(TOTAL_BOUND, give_up)
    watchdog.daemon = True
    watchdog.start()

    import google.protobuf
    print(f"interop python: grpcio {grpc.__version__}, protobuf {google.protobuf.__version__}, "
          f"Python {sys.version.split()[0]}", flush=True)
    scratch = None if args.work else tempfile.TemporaryDirectory(prefix="lanes-interop-py-")  # removed at exit
    work = args.work or scratch.name
    os.makedirs(work, exist_ok=True)
    generate_stubs(args.proto_path, work)
    node = Node(args.rest_port, args.grpc_port)
    failed = 0
    for case in CASES:
        try:
            case(node)
            print(f"PASS {case.__name__}", flush=True)
        except CaseFailed as e:
            failed += 1
            print(f"FAIL {case.__name__}: {e}", flush=True)
        except grpc.RpcError as e:
            failed += 1
            print(f"FAIL {case.__name__}: unexpected {e.code().name}: {e.details()}", flush=True)
        except Exception as e:
            failed += 1
            print(f"FAIL {case.__name__}: {type(e).__name__}: {e}", flush=True)
    print(f"interop python: {len(CASES)} cases, {failed} failed", flush=True)
    node.channel.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
