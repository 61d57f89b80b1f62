package dev.lanes.benchmarks.load;

import java.util.OptionalLong;

/** A way of offering load: closed loop (fixed callers) or open loop (fixed arrival rate). */
public sealed interface LoadLoop permits ClosedLoop, OpenLoop {
    /**
     * @param label     names the level in results and on the progress line
     * @param serverPid the server process, to report its CPU use; empty when unknown or in-process
     * @param progress  print a progress line each second
     */
    LoadResult run(CallerSource source, String label, OptionalLong serverPid, boolean progress);
}
