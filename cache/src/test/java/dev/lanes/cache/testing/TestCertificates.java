package dev.lanes.cache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CA made for one test run and a server certificate it signed, by {@code openssl}: the server
 * certificate names only {@code serverNames} (subjectAltName entries such as {@code IP:127.0.0.1}).
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {
    public static TestCertificates create(Path directory, String serverNames) {
        try {
            Files.createDirectories(directory);
            Path caKey = directory.resolve("ca.key");
            Path ca = directory.resolve("ca.crt");
            Path key = directory.resolve("server.key");
            Path request = directory.resolve("server.csr");
            Path certificate = directory.resolve("server.crt");
            Path extensions = Files.writeString(directory.resolve("server.ext"), "subjectAltName=" + serverNames + "\n");
            openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(),
                    "-out", ca.toString(), "-days", "2", "-subj", "/CN=lanes-test-ca");
            openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                    "-out", request.toString(), "-subj", "/CN=lanes-test-redis");
            openssl(directory, "x509", "-req", "-in", request.toString(), "-CA", ca.toString(), "-CAkey",
                    caKey.toString(), "-CAcreateserial", "-out", certificate.toString(), "-days", "2",
                    "-extfile", extensions.toString());
            return new TestCertificates(ca, certificate, key);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void openssl(Path directory, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("openssl.log").toFile())).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl " + arguments[0] + " failed; see " + directory.resolve("openssl.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
