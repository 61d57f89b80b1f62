package dev.lanes.server.testing;

import dev.lanes.runtime.testing.OnnxModelWriter.Elem;
import dev.lanes.runtime.testing.TestModels;
import dev.lanes.runtime.testing.TestRepository;
import dev.lanes.server.config.ManagementSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The node every gRPC client implementation is tested against (grpc-java, Python grpcio, Node
 * grpc-js): one repository with a model for each case of the interop matrix, explicit control
 * mode with every model loaded, and a management token, so that every rpc and every error
 * status can be reached. Run {@link #main} to serve it by hand while working on a client.
 */
public final class InteropNode {
    /** The management token the node requires for load and unload. */
    public static final String TOKEN = "interop-token";
    /** Width of the slow model's rows: 64 rows keep its one instance busy for about a second. */
    public static final int SLOW_WIDTH = 1024;

    /** The slow model's config: one single-threaded instance and a queue of 3 (deadlines and overload). */
    public static final String SLOW_CONFIG = """
            max_batch_size: 64
            dynamic_batching { default_queue_policy { max_queue_size: 3 } }
            instance_group [ { count: 1 kind: KIND_CPU } ]
            parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
            """;

    private InteropNode() {
    }

    /**
     * Writes the matrix's repository: {@code affine} (dynamic batching, two instances),
     * {@code mixed} (INT32/FP64 in, four datatypes out), {@code echo_text} (BYTES identity),
     * {@code echo} (FP32 identity [N,-1] for 110 KB and small calls, two instances, a deep queue),
     * {@code slow} (one instance, queue of 3: deadlines and overload), {@code failing} (fails at
     * run time unless the batch has a multiple of 3 rows), {@code spare} (for unload) and
     * {@code broken} (a corrupt file: not ready).
     */
    public static void writeRepository(Path root) {
        new TestRepository(root)
                .model("affine", 1, TestModels.affine())
                .config("affine", TestModels.DEMO_AFFINE_CONFIG)
                .model("mixed", 1, TestModels.mixed())
                .model("echo_text", 1, TestModels.identity(Elem.STRING))
                .model("echo", 1, TestModels.identity(Elem.FLOAT))
                .config("echo", """
                        max_batch_size: 64
                        dynamic_batching { default_queue_policy { max_queue_size: 4096 } }
                        instance_group [ { count: 2 kind: KIND_CPU } ]
                        """)
                .model("slow", 1, TestModels.slow(SLOW_WIDTH, SlowModelDepth.forOneSecond(SLOW_WIDTH)))
                .config("slow", SLOW_CONFIG)
                .model("failing", 1, TestModels.failingAtRunTime())
                .model("spare", 1, TestModels.affine())
                .corrupt("broken", 1);
    }

    /**
     * Explicit mode with everything loaded, guarded by {@link #TOKEN}; a 1 MiB message limit;
     * ready although {@code broken} is not (strict readiness off), as GrpcInteropIT starts it.
     */
    public static ServerFixture start(Path root) throws IOException {
        return ServerFixture.start(root, false, new ManagementSettings(ManagementSettings.ControlMode.EXPLICIT, List.of("*"),
                ManagementSettings.DEFAULT.pollInterval(), Optional.of(TOKEN), false));
    }

    /** {@code InteropNode [DIR]}: writes the repository (to a temporary directory by default) and serves it. */
    public static void main(String[] args) throws Exception {
        Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("lanes-interop");
        writeRepository(root);
        ServerFixture node = start(root);
        System.out.println("interop node: REST " + node.server().port() + " gRPC " + node.server().grpcPort()
                + " repository " + root);
        Thread.currentThread().join();
    }
}
