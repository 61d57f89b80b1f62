package dev.lanes.cache;

/**
 * The local cache in front of the shared one: a local hit never touches Redis; a Redis hit is
 * copied into the local cache; stores go to both. A Redis error with a local miss is an ERROR
 * lookup (served as a miss).
 */
public final class TieredPredictionCache implements PredictionCache {
    private final LocalPredictionCache local;
    private final PredictionCache shared;

    public TieredPredictionCache(LocalPredictionCache local, PredictionCache shared) {
        this.local = local;
        this.shared = shared;
    }

    @Override
    public Lookup get(CacheKey key) {
        Lookup near = local.get(key);
        if (near.result() == Lookup.Result.HIT) {
            return near;
        }
        Lookup far = shared.get(key);
        if (far.result() == Lookup.Result.HIT) {
            local.put(key, far.value());
        }
        return far;
    }

    @Override
    public void put(CacheKey key, byte[] value) {
        local.put(key, value);
        shared.put(key, value);
    }

    @Override
    public void checkAtStart() {
        shared.checkAtStart();
    }

    public LocalPredictionCache local() {
        return local;
    }

    @Override
    public String name() {
        return "tiered";
    }

    @Override
    public void close() {
        shared.close();
    }
}
