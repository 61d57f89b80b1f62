package dev.lanes.server.log;

/**
 * The request a thread is handling, for log lines written meanwhile: its id and, once known, the
 * model it addresses. A REST request runs on one virtual thread; a gRPC call's callbacks may run
 * on several, each bound for its duration. Log handlers format on the thread that logs.
 */
public final class LogContext {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private LogContext() {
    }

    /** A request's context, bound to no thread yet. */
    public static Scope newScope(String requestId) {
        return new Scope(requestId);
    }

    /**
     * Records the model the current request addresses, if the thread is handling one; the name
     * comes from the client, so it is bounded and stripped of control characters here.
     */
    public static void model(String model) {
        Scope scope = CURRENT.get();
        if (scope != null) {
            scope.model = LogText.clean(model, AccessEntry.MAX_FIELD);
        }
    }

    static Scope current() {
        return CURRENT.get();
    }

    /** One request's id and model. */
    public static final class Scope {
        private final String requestId;
        private volatile String model;

        private Scope(String requestId) {
            this.requestId = requestId;
        }

        public String requestId() {
            return requestId;
        }

        public String model() {
            return model;
        }

        /** Makes this the current thread's request until the binding closes. */
        public Binding bind() {
            Scope outer = CURRENT.get();
            CURRENT.set(this);
            return () -> {
                if (outer == null) {
                    CURRENT.remove();
                } else {
                    CURRENT.set(outer);
                }
            };
        }
    }

    /** Closing it restores the thread's previous context. */
    @FunctionalInterface
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }
}
