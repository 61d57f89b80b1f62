package dev.lanes.server;

import dev.lanes.runtime.InferenceException;
import dev.lanes.server.config.LanesConfig;
import dev.lanes.server.config.LogSettings;
import dev.lanes.server.log.JsonLogFormatter;
import dev.lanes.server.log.ShutdownLogManager;
import dev.lanes.server.config.ServerConfig;
import io.helidon.logging.common.LogConfig;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** {@code lanes serve|help}: the command-line entry point. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        LogConfig.configureRuntime();
        Cli cli;
        ServerConfig config;
        try {
            cli = Cli.parse(List.of(args));
            if (cli.command().equals("help")) {
                System.out.print(Cli.USAGE);
                return;
            }
            if (cli.command().equals("gpu-check")) {
                GpuCheck.Arguments check = GpuCheck.parse(List.of(args).subList(1, args.length));
                System.exit(GpuCheck.run(check.model(), check.height(), check.width()));
            }
            config = ServerConfig.create(LanesConfig.load(cli.overrides(), cli.configFile(), System.getenv()));
            if (config.log().format() == LogSettings.Format.JSON) {
                JsonLogFormatter.install();
            }
        } catch (IllegalArgumentException e) {
            System.err.println("lanes: " + e.getMessage());
            System.err.print(Cli.USAGE);
            System.exit(2);
            return;
        }
        LanesServer server = new LanesServer(config);
        try {
            server.start();
        } catch (IOException | InferenceException e) {
            System.err.println("lanes: " + e.getMessage()); // start() closed what it had opened
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.drain();
            ShutdownLogManager.flush();
            stopped.countDown();
        }, "lanes-drain"));
        stopped.await();
    }
}
