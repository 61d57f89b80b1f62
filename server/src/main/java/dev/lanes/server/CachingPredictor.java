package dev.lanes.server;

import dev.lanes.cache.CacheKey;
import dev.lanes.cache.CacheKeyBuilder;
import dev.lanes.cache.CacheStats;
import dev.lanes.cache.CachedOutputs;
import dev.lanes.cache.Lookup;
import dev.lanes.cache.PredictionCache;
import dev.lanes.cache.SingleFlight;
import dev.lanes.runtime.ErrorKind;
import dev.lanes.runtime.InferenceException;
import dev.lanes.runtime.batch.InferenceResult;
import dev.lanes.runtime.model.CheckedInputs;
import dev.lanes.runtime.repository.ModelVersion;
import dev.lanes.runtime.tensor.BytesElements;
import dev.lanes.runtime.tensor.DataType;
import dev.lanes.runtime.tensor.Shapes;
import dev.lanes.runtime.tensor.Tensor;
import dev.lanes.server.InferenceService.InferCall;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers a request from the prediction cache when it can, and from the model otherwise. The cache
 * is consulted before the request enters the batch queue, so hits never take a batch slot;
 * concurrent identical misses run one inference (single-flight) and share it; only successful
 * results are stored; a failing cache is a miss. Thread-safe.
 */
final class CachingPredictor {
    private static final Logger LOG = Logger.getLogger(CachingPredictor.class.getName());

    private final PredictionCache cache;
    private final CacheStats stats;
    private final boolean allModels;
    private final SingleFlight<CacheKey, InferenceResult> inFlight = new SingleFlight<>();

    CachingPredictor(PredictionCache cache, CacheStats stats, boolean allModels) {
        this.cache = cache;
        this.stats = stats;
        this.allModels = allModels;
    }

    /**
     * Takes ownership of the call's inputs. A cached model's shared flight ignores the call's
     * cancellation: other callers wait on it too.
     */
    InferenceResult predict(ModelVersion version, InferCall call) throws Exception {
        if (call.cacheBypass() || !cached(version)) {
            return version.admitter().run(call.inputs(), call.options());
        }
        CheckedInputs inputs = call.inputs();
        CacheKey key = key(version, inputs, call.options().outputs());
        long start = System.nanoTime();
        Lookup lookup = cache.get(key);
        if (lookup.result() == Lookup.Result.HIT) {
            try {
                InferenceResult result = fromCache(CachedOutputs.decode(lookup.value()));
                long lookupNanos = System.nanoTime() - start;
                stats.lookup(version.model(), Lookup.Result.HIT, lookupNanos);
                version.statistics().cacheHit(lookupNanos);
                inputs.close();
                return result;
            } catch (IllegalArgumentException corrupt) {
                LOG.log(Level.FINE, "unreadable cache value for " + key + ": " + corrupt.getMessage());
                lookup = Lookup.error();
            }
        }
        long lookupNanos = System.nanoTime() - start;
        stats.lookup(version.model(), lookup.result(), lookupNanos);
        return runOrFollow(version, call, key, lookupNanos);
    }

    /**
     * Runs the model for a miss, or waits for an identical request already running it. A
     * follower owns its inputs until it leads, so it releases them on every way out; it waits no
     * longer than its own deadline; and a leader that ran out of its own time does not fail a
     * follower that still has time: that one tries again, leading or following anew.
     */
    private InferenceResult runOrFollow(ModelVersion version, InferCall call, CacheKey key, long lookupNanos)
            throws Exception {
        CheckedInputs inputs = call.inputs();
        long deadline = deadline(version, call);
        while (true) {
            AtomicBoolean led = new AtomicBoolean();
            try {
                SingleFlight.Outcome<InferenceResult> outcome = inFlight.run(key, () -> {
                    led.set(true);
                    // Not the leader's cancellation: followers share this flight, and one client
                    // going away must not fail the others.
                    InferenceResult result = version.admitter().run(inputs, call.options().uncancellable());
                    version.statistics().cacheMiss(lookupNanos + store(version.model(), key, result));
                    return result;
                }, deadline - System.nanoTime());
                if (!outcome.led()) {
                    inputs.close(); // another identical request ran the model for us
                    version.statistics().cacheMiss(lookupNanos);
                }
                return outcome.value();
            } catch (TimeoutException e) {
                inputs.close();
                throw new InferenceException(ErrorKind.DEADLINE_EXCEEDED, "request timed out waiting for an identical "
                        + "request's answer from model '" + version.model() + "'");
            } catch (InferenceException e) {
                if (!led.get() && e.kind() == ErrorKind.DEADLINE_EXCEEDED && System.nanoTime() < deadline) {
                    continue; // the leader's deadline passed, not this request's
                }
                if (!led.get()) {
                    inputs.close();
                }
                throw e;
            } catch (Exception | Error e) {
                if (!led.get()) {
                    inputs.close();
                }
                throw e;
            }
        }
    }

    /** When this request gives up: its own queue timeout (or the model's default) or its client's deadline. */
    private static long deadline(ModelVersion version, InferCall call) {
        long timeoutNanos = TimeUnit.MICROSECONDS.toNanos(Math.max(0, call.options().timeoutMicros()));
        return Math.min(call.options().clientDeadlineNanos(), version.policy().deadline(System.nanoTime(), timeoutNanos));
    }

    /** Flights in progress and the requests waiting on them, for tests. */
    SingleFlight<CacheKey, InferenceResult> flights() {
        return inFlight;
    }

    /**
     * As {@link #predict}, answering a model without cache from the batch's completion, so no
     * thread waits for the batch. A cached model's lookup, store and single-flight wait run on
     * the calling (virtual) thread and the future is complete on return.
     */
    CompletableFuture<InferenceResult> predictAsync(ModelVersion version, InferCall call) throws Exception {
        if (call.cacheBypass() || !cached(version)) {
            return version.admitter().submit(call.inputs(), call.options());
        }
        return CompletableFuture.completedFuture(predict(version, call));
    }

    /**
     * Refuses before the request is read when the model's queue is full and the cache cannot
     * answer it (a cached model's hits need no queue, so those requests are always read).
     */
    void refuseEarlyIfOverloaded(ModelVersion version) {
        if (!cached(version)) {
            version.admitter().refuseIfQueueFull();
        }
    }

    /** Whether requests for {@code version} go through the prediction cache. */
    boolean cached(ModelVersion version) {
        return allModels || version.settings().config().getResponseCache().getEnable();
    }

    private static CacheKey key(ModelVersion version, CheckedInputs inputs, Set<String> outputs) {
        SortedSet<String> names = new TreeSet<>(outputs.isEmpty() ? version.signature().outputNames() : outputs);
        CacheKeyBuilder key = new CacheKeyBuilder(version.model(), version.version(), names);
        for (Tensor input : inputs.tensors()) {
            key.input(input.name(), input.dataType().name(), input.shape(), input.data());
        }
        return key.build();
    }

    /** Encodes and stores a result; returns the nanoseconds it took. */
    private long store(String model, CacheKey key, InferenceResult result) {
        long start = System.nanoTime();
        List<CachedOutputs.Output> outputs = new ArrayList<>(result.outputs().size());
        for (Tensor output : result.outputs()) {
            outputs.add(new CachedOutputs.Output(output.name(), output.dataType().name(), output.shape(), output.data()));
        }
        cache.put(key, new CachedOutputs(outputs).encode());
        long nanos = System.nanoTime() - start;
        stats.store(model, nanos);
        return nanos;
    }

    /**
     * The cached outputs as tensors; an output whose data does not fit its datatype and shape (a
     * value no Lanes node wrote) is refused like a corrupt one, so the request runs the model.
     */
    static InferenceResult fromCache(CachedOutputs cached) {
        List<Tensor> outputs = new ArrayList<>(cached.outputs().size());
        for (CachedOutputs.Output output : cached.outputs()) {
            DataType type = DataType.fromV2Name(output.datatype()).orElseThrow(() ->
                    new IllegalArgumentException("unknown datatype " + output.datatype()));
            long[] shape = output.shape();
            ByteBuffer data = output.data().order(ByteOrder.nativeOrder());
            try {
                long count = Shapes.elementCount(output.name(), shape, Integer.MAX_VALUE);
                if (type.isFixedSize() && data.remaining() != count * type.byteSize()) {
                    throw new IllegalArgumentException("output '" + output.name() + "' has " + data.remaining()
                            + " bytes for shape " + Arrays.toString(shape) + " of " + type);
                }
                if (!type.isFixedSize()) {
                    BytesElements.checkCount(output.name(), data, count);
                }
            } catch (InferenceException misfit) {
                throw new IllegalArgumentException(misfit.getMessage(), misfit);
            }
            outputs.add(Tensor.of(output.name(), type, shape, data));
        }
        return new InferenceResult(outputs, 0);
    }
}
