package dev.lanes.cache.testing;

import dev.lanes.cache.RedisTrust;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A secured Redis deployment for tests: TLS only, with a CA made here, and one ACL user (the
 * default user off) that clients, replicas and Sentinels all authenticate as.
 */
public record RedisAccess(TestCertificates certificates, String user, String password) {
    public static RedisAccess create(Path directory) {
        return new RedisAccess(TestCertificates.create(directory, "IP:127.0.0.1"), "lanes",
                "pw-" + Long.toHexString(System.nanoTime()));
    }

    /** ACL and replication options for a data node (add {@code --tls-cluster yes} for a cluster). */
    public List<String> serverOptions() {
        return new ArrayList<>(List.of("--user", "default", "off", "--user", user, "on", ">" + password, "~*", "&*",
                "+@all", "--masteruser", user, "--masterauth", password, "--tls-replication", "yes"));
    }

    /** Sentinel config lines: how to reach and authenticate to the monitored master. */
    String sentinelConfig(String masterName) {
        return "sentinel auth-user " + masterName + " " + user + "\n"
                + "sentinel auth-pass " + masterName + " " + password + "\n";
    }

    /** The TLS part of a Sentinel's config file, serving on {@code port}. */
    String sentinelTls(int port) {
        return "port 0\ntls-port " + port + "\n"
                + "tls-cert-file " + certificates.serverCertificate() + "\n"
                + "tls-key-file " + certificates.serverKey() + "\n"
                + "tls-ca-cert-file " + certificates.caCertificate() + "\n"
                + "tls-auth-clients no\ntls-replication yes\n";
    }

    /** A client of a data node, as the user, over TLS. */
    public Jedis data(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(RedisTrust.socketFactory(certificates.caCertificate()))
                .user(user).password(password).build());
    }

    /** A client of a Sentinel, over TLS, without AUTH. */
    Jedis sentinel(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(RedisTrust.socketFactory(certificates.caCertificate())).build());
    }

    /** What {@code redis-cli} needs to speak to the data nodes. */
    List<String> cliOptions() {
        return List.of("--tls", "--cacert", certificates.caCertificate().toString(), "--user", user, "--pass", password);
    }
}
