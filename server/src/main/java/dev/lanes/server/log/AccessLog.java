package dev.lanes.server.log;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code lanes.log.access=true}: one INFO line per request on the logger {@code lanes.access},
 * which a logging configuration can route or silence on its own.
 */
public final class AccessLog {
    private static final Logger LOG = Logger.getLogger("lanes.access");

    private final boolean enabled;

    public AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    public void record(AccessEntry entry) {
        if (enabled) {
            LOG.log(Level.INFO, "{0}", entry);
        }
    }
}
