package dev.lanes.server.log;

import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * A LogManager that keeps logging through the drain. The JDK's own LogManager resets (closes
 * every handler) from a shutdown hook of its own, which runs beside the node's drain hook, so
 * the drain's lines, its warnings included, were lost. This one ignores that reset; the drain hook
 * flushes the handlers itself once it is done. The JVM picks it up only from the command line,
 * {@code -Djava.util.logging.manager=dev.lanes.server.log.ShutdownLogManager} (bin/lanes and the
 * image pass it): the JDK creates its LogManager before {@code main} runs.
 */
public final class ShutdownLogManager extends LogManager {
    /** Resets as the JDK's does (reading a configuration does), except for the JDK's shutdown hook. */
    @Override
    public void reset() {
        if (!shuttingDown()) {
            super.reset();
        }
    }

    /** Flushes every root handler: the last lines of a stopping node reach their destination. */
    public static void flush() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.flush();
        }
    }

    /** Registering a hook is refused once shutdown has begun: the one public way to ask. */
    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
