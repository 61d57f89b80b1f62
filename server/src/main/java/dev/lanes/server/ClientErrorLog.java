package dev.lanes.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Keeps what a hostile client can make a library log from filling the node's log: grpc-java's
 * Netty handler logs every malformed stream at WARNING with a stack trace (its transport logs a
 * broken connection at INFO with one), so a client repeating one bad frame writes megabytes. Installed on such a logger, this counts each record, lets one
 * through per period at INFO without its stack trace, and says how many were held back.
 */
public final class ClientErrorLog implements Filter {
    private static final long PERIOD_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final SimpleFormatter MESSAGE = new SimpleFormatter();

    private final String source;
    private final Runnable counter;
    private final AtomicLong lastPassed = new AtomicLong(System.nanoTime() - PERIOD_NANOS);
    private final LongAdder heldBack = new LongAdder();

    private ClientErrorLog(String source, Runnable counter) {
        this.source = source;
        this.counter = counter;
    }

    /**
     * Installs the filter on {@code loggerName}; returns the logger, which the caller keeps
     * (JUL holds loggers weakly, and a collected one would come back without the filter).
     */
    public static Logger install(String loggerName, String source, Runnable counter) {
        Logger logger = Logger.getLogger(loggerName);
        logger.setFilter(new ClientErrorLog(source, counter));
        return logger;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getLevel().intValue() < Level.INFO.intValue()) {
            return true; // debugging detail, off unless an operator turns it on
        }
        counter.run();
        long now = System.nanoTime();
        long last = lastPassed.get();
        if (now - last < PERIOD_NANOS || !lastPassed.compareAndSet(last, now)) {
            heldBack.increment();
            return false;
        }
        long held = heldBack.sumThenReset();
        Throwable thrown = record.getThrown();
        String message = MESSAGE.formatMessage(record);
        record.setLevel(Level.INFO);
        record.setThrown(null);
        record.setParameters(null);
        record.setMessage("client error on " + source + ": " + message
                + (thrown == null ? "" : ": " + thrown)
                + (held == 0 ? "" : " (" + held + " more in the last minute, not logged; see lanes_protocol_errors_total)"));
        return true;
    }
}
