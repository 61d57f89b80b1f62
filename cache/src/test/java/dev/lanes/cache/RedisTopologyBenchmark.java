package dev.lanes.cache;

import dev.lanes.cache.testing.RedisAccess;
import dev.lanes.cache.testing.RedisClusterFixture;
import dev.lanes.cache.testing.RedisProcess;
import dev.lanes.cache.testing.RedisSentinelFixture;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one lookup costs on each Redis topology, against real local processes: a miss (an absent
 * key, what every first request pays before its inference) and a hit of a 4 KiB value, plain and
 * TLS with an ACL user, beside the in-process cache. One caller; loopback, so the figures are the
 * client's and Redis' own cost, not a network's. Run it with {@code bin/bench jmh cache RedisTopology}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(java.util.concurrent.TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RedisTopologyBenchmark {
    @Param({"local", "standalone", "sentinel", "cluster", "standalone-tls", "sentinel-tls", "cluster-tls"})
    public String topology;

    private final List<AutoCloseable> started = new ArrayList<>();
    private PredictionCache cache;
    private CacheKey present;
    private CacheKey absent;

    @Setup(Level.Trial)
    public void start() throws Exception {
        try {
            startRedis();
        } catch (RuntimeException | Error e) {
            stop(); // JMH runs no @TearDown after a failed @Setup
            throw e;
        }
    }

    private void startRedis() {
        Path directory = RedisProcess.tempDirectory("lanes-bench-redis");
        boolean tls = topology.endsWith("-tls");
        RedisAccess access = tls ? RedisAccess.create(directory.resolve("certs")) : null;
        RedisTopology where = switch (topology.replace("-tls", "")) {
            case "local" -> null;
            case "standalone" -> {
                RedisProcess redis = access == null ? RedisProcess.server(directory.resolve("redis"), List.of())
                        : RedisProcess.tlsServer(directory.resolve("redis"), access.certificates(),
                        access.serverOptions());
                started.add(redis);
                yield new RedisTopology.Standalone(new RedisAddress("127.0.0.1", redis.port()), 0);
            }
            case "sentinel" -> {
                RedisSentinelFixture redis = new RedisSentinelFixture(access);
                started.add(redis);
                yield new RedisTopology.Sentinel(RedisAddress.parseList(redis.sentinelList(), "sentinels"),
                        RedisSentinelFixture.MASTER_NAME, 0);
            }
            case "cluster" -> {
                RedisClusterFixture redis = new RedisClusterFixture(access);
                started.add(redis);
                yield new RedisTopology.Cluster(RedisAddress.parseList(redis.seedList(), "cluster"));
            }
            default -> throw new IllegalArgumentException(topology);
        };
        if (where == null) {
            cache = new LocalPredictionCache(64 << 20, Duration.ofMinutes(10));
        } else {
            RedisSettings settings = RedisSettings.of(where)
                    .withLimits(Duration.ofSeconds(1), Duration.ofMinutes(10), "bench:", 4, 5, Duration.ofSeconds(1));
            if (access != null) {
                settings = settings.withAccess(access.user(), true, access.certificates().caCertificate())
                        .withPassword(access.password());
            }
            cache = new RedisPredictionCache(settings);
        }
        present = PredictionCacheContract.key("bench", 1);
        absent = PredictionCacheContract.key("bench", 2);
        cache.put(present, PredictionCacheContract.value(4096, 1));
        if (cache.get(present).result() != Lookup.Result.HIT) {
            throw new IllegalStateException(topology + ": the stored value is not found");
        }
    }

    @Benchmark
    public Lookup miss() {
        return cache.get(absent);
    }

    @Benchmark
    public Lookup hit() {
        return cache.get(present);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (cache != null) {
            cache.close();
        }
        for (AutoCloseable process : started) {
            process.close();
        }
    }
}
