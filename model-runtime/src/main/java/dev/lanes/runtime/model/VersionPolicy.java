package dev.lanes.runtime.model;

import dev.lanes.runtime.config.proto.ModelVersionPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/** Which versions on disk are served (Triton's version_policy; default: the latest one). */
public record VersionPolicy(Kind kind, int latestCount, Set<Long> specific) {
    public enum Kind { LATEST, ALL, SPECIFIC }

    public VersionPolicy {
        specific = Set.copyOf(specific);
    }

    public static VersionPolicy from(ModelVersionPolicy proto) {
        return switch (proto.getPolicyChoiceCase()) {
            case ALL -> new VersionPolicy(Kind.ALL, 0, Set.of());
            case SPECIFIC -> new VersionPolicy(Kind.SPECIFIC, 0, Set.copyOf(proto.getSpecific().getVersionsList()));
            case LATEST -> new VersionPolicy(Kind.LATEST, Math.max(1, proto.getLatest().getNumVersions()), Set.of());
            case POLICYCHOICE_NOT_SET -> new VersionPolicy(Kind.LATEST, 1, Set.of());
        };
    }

    /** The served versions among those on disk, newest first. */
    public List<Long> select(NavigableSet<Long> onDisk) {
        List<Long> chosen = new ArrayList<>();
        for (Long version : onDisk.descendingSet()) {
            boolean take = switch (kind) {
                case ALL -> true;
                case SPECIFIC -> specific.contains(version);
                case LATEST -> chosen.size() < latestCount;
            };
            if (take) {
                chosen.add(version);
            }
        }
        return chosen;
    }

    /** Specific versions the policy names that are not on disk: reported, not fatal. */
    public Set<Long> missing(NavigableSet<Long> onDisk) {
        Set<Long> missing = new TreeSet<>(specific);
        missing.removeAll(onDisk);
        return missing;
    }
}
