package dev.lanes.benchmarks.soak;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.lanes.server.grpc.proto.GRPCInferenceServiceGrpc;
import dev.lanes.server.grpc.proto.ModelInferRequest;
import dev.lanes.server.grpc.proto.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * REST (JSON) and gRPC (raw contents) requests in turn, open loop at a set rate; half of them
 * repeat one of {@value #REPEATED} inputs (cache hits), half are new. Latency is measured from
 * the scheduled send time, so a stalled node shows as latency rather than as fewer requests.
 */
final class MixedLoad implements AutoCloseable {
    private static final int REPEATED = 64;
    /** Beyond this many unanswered requests the pacer skips sends (counted) rather than pile up threads. */
    private static final int MAX_OUTSTANDING = 4096;

    record Interval(long ok, long rejected, long failed, long skipped, double p99Millis) {
    }

    private final String model;
    private final int width;
    private final URI inferUri;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ManagedChannel channel;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub grpc;
    private final float[][] repeated;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final Recorder latency = new Recorder(TimeUnit.MINUTES.toNanos(5), 3);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile double rate;
    private Thread pacer;
    private Histogram interval;

    MixedLoad(int restPort, int grpcPort, String model, int width) {
        this.model = model;
        this.width = width;
        this.inferUri = URI.create("http://127.0.0.1:" + restPort + "/v2/models/" + model + "/infer");
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        this.grpc = GRPCInferenceServiceGrpc.newFutureStub(channel);
        SplittableRandom random = new SplittableRandom(1);
        repeated = new float[REPEATED][];
        for (int i = 0; i < REPEATED; i++) {
            repeated[i] = values(random);
        }
    }

    /** Closed loop, unique inputs, both protocols: what the node answers per second at most. */
    double saturation(Duration duration) throws InterruptedException {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 32; c++) {
                clients.submit(() -> {
                    SplittableRandom random = new SplittableRandom();
                    for (long n = 0; System.nanoTime() < end; n++) {
                        try {
                            if (n % 2 == 0) {
                                http.send(restRequest(values(random)), HttpResponse.BodyHandlers.discarding());
                            } else {
                                grpc.modelInfer(grpcRequest(values(random))).get(60, TimeUnit.SECONDS);
                            }
                            done.incrementAndGet();
                        } catch (Exception e) {
                            // saturation counts answers only
                        }
                    }
                    return null;
                });
            }
        }
        return done.get() / (duration.toNanos() / 1e9);
    }

    void rate(double requestsPerSecond) {
        rate = requestsPerSecond;
        if (pacer == null) {
            pacer = Thread.ofPlatform().name("soak-pacer").daemon(true).start(this::pace);
        }
    }

    Interval interval() {
        interval = latency.getIntervalHistogram(interval);
        double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1e6;
        return new Interval(ok.getAndSet(0), rejected.getAndSet(0), failed.getAndSet(0), skipped.getAndSet(0), p99);
    }

    /** Requests that failed other than by a refusal under load, by reason. */
    Map<String, Long> failures() {
        Map<String, Long> reasons = new TreeMap<>();
        failures.forEach((reason, count) -> reasons.put(reason, count.get()));
        return reasons;
    }

    private void pace() {
        SplittableRandom random = new SplittableRandom(2);
        long next = System.nanoTime();
        while (!stopped.get()) {
            next += (long) (1e9 / rate);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (outstanding.get() >= MAX_OUTSTANDING) {
                skipped.incrementAndGet();
                continue;
            }
            float[] input = random.nextBoolean() ? repeated[random.nextInt(REPEATED)] : values(random);
            long scheduled = next;
            outstanding.incrementAndGet();
            if (sequence.getAndIncrement() % 2 == 0) {
                senders.submit(() -> sendRest(input, scheduled));
            } else {
                sendGrpc(input, scheduled);
            }
        }
    }

    private void sendRest(float[] input, long scheduled) {
        try {
            HttpResponse<String> response = http.send(restRequest(input), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                answered(scheduled);
            } else if (response.statusCode() == 503) {
                rejected.incrementAndGet();
            } else {
                failed("REST " + response.statusCode() + " " + response.body());
            }
        } catch (Exception e) {
            failed("REST " + e);
        } finally {
            outstanding.decrementAndGet();
        }
    }

    private void sendGrpc(float[] input, long scheduled) {
        Futures.addCallback(grpc.withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(grpcRequest(input)),
                new FutureCallback<ModelInferResponse>() {
                    @Override
                    public void onSuccess(ModelInferResponse response) {
                        answered(scheduled);
                        outstanding.decrementAndGet();
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        Status status = Status.fromThrowable(t);
                        if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                            rejected.incrementAndGet();
                        } else {
                            failed("gRPC " + status.getCode() + " " + status.getDescription());
                        }
                        outstanding.decrementAndGet();
                    }
                }, MoreExecutors.directExecutor());
    }

    private void answered(long scheduled) {
        ok.incrementAndGet();
        latency.recordValue(Math.max(0, System.nanoTime() - scheduled));
    }

    private void failed(String reason) {
        failed.incrementAndGet();
        String key = reason.length() > 160 ? reason.substring(0, 160) : reason;
        failures.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    private float[] values(SplittableRandom random) {
        float[] values = new float[width];
        for (int i = 0; i < width; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return values;
    }

    private HttpRequest restRequest(float[] input) {
        StringBuilder body = new StringBuilder(16 * input.length + 96)
                .append("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,").append(input.length)
                .append("],\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < input.length; i++) {
            body.append(i == 0 ? "" : ",").append(input[i]);
        }
        body.append("]}]}");
        return HttpRequest.newBuilder(inferUri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private ModelInferRequest grpcRequest(float[] input) {
        ByteBuffer raw = ByteBuffer.allocate(4 * input.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : input) {
            raw.putFloat(value);
        }
        return ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
                        .addShape(1).addShape(input.length))
                .addRawInputContents(ByteString.copyFrom(raw.array())).build();
    }

    @Override
    public void close() throws InterruptedException {
        stopped.set(true);
        if (pacer != null) {
            pacer.join(5000);
        }
        senders.shutdownNow();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
