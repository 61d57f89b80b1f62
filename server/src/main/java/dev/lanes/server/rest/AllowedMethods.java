package dev.lanes.server.rest;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which methods each of {@link V2Routes}' paths takes, for the {@code Allow} header of a 405
 * (RFC 9110 §15.5.6) and the answer to OPTIONS. It mirrors {@link V2Routes#routing}: a route added
 * there needs its path here.
 */
final class AllowedMethods {
    private record Route(Pattern path, String allow) {
    }

    private static final String SEGMENT = "[^/]+";
    private static final String VERSION = "(/versions/" + SEGMENT + ")?";
    private static final List<Route> ROUTES = List.of(
            route("/v2", "GET"),
            route("/v2/health/(live|ready)", "GET"),
            route("/v2/models/stats", "GET"),
            route("/v2/models/" + SEGMENT + VERSION + "(/stats|/config|/ready)?", "GET"),
            route("/v2/models/" + SEGMENT + VERSION + "/infer", "POST"),
            route("/v2/repository/index", "GET, POST"),
            route("/v2/repository/models/" + SEGMENT + "/(load|unload)", "POST"),
            route("/metrics", "GET"));

    private AllowedMethods() {
    }

    private static Route route(String regex, String allow) {
        return new Route(Pattern.compile(regex), allow);
    }

    /** The Allow header's value for a path, or null when no route has that path. */
    static String forPath(String path) {
        for (Route route : ROUTES) {
            if (route.path().matcher(path).matches()) {
                return route.allow();
            }
        }
        return null;
    }
}
