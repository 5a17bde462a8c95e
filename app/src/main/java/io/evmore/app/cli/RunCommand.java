package io.evmore.app.cli;

import io.evmore.app.RelayerApp;
import io.evmore.app.config.ConfigException;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.RelayerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** ./evmore run: the relayer service, until SIGTERM or SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start the relayer service: HTTP on port 3000 (/health, /metrics, /admin), database, chain pools.",
                "Stops gracefully on SIGTERM/SIGINT: intake first, in-flight work finished or persisted, exit 0.",
                "Environment overrides: FUSION_ENV, LOG_LEVEL, ENABLE_TRACING, DATABASE_URL, ADMIN_TOKEN, ETHEREUM_RPC_URL, COSMOS_RPC_URL."})
final class RunCommand implements Callable<Integer> {
    static final int EXIT_CONFIG = 2;
    static final int EXIT_START_FAILED = 1;

    static final String DEFAULT_CONFIG = "config/relayer.yaml";

    @Option(names = {"-c", "--config"}, defaultValue = DEFAULT_CONFIG, description = "YAML config file (default: ${DEFAULT-VALUE})")
    Path config;

    /**
     * {@code run --config FILE} without picocli ({@link EvmoreCli#plainRun}): its exit code, and for an exception that
     * escapes, what picocli would do — the stack trace on stderr, exit 1.
     */
    static int start(Path config) {
        RunCommand run = new RunCommand();
        run.config = config;
        try {
            return run.call();
        } catch (RuntimeException e) {
            e.printStackTrace();
            return 1;
        }
    }

    @Override
    public Integer call() {
        RelayerConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("config error: " + e.getMessage());
            return EXIT_CONFIG;
        }
        RelayerApp app = new RelayerApp(config, cfg);
        CountDownLatch stop = new CountDownLatch(1);
        // A standby that cannot become leader (e.g. its keys are not the database's) stops itself with exit 1.
        java.util.concurrent.atomic.AtomicReference<Throwable> fatal = new java.util.concurrent.atomic.AtomicReference<>();
        app.fatalError().thenAccept(e -> {
            fatal.set(e);
            stop.countDown();
        });
        // Handle the signals ourselves so a requested stop exits 0 (the JVM default for SIGTERM is 143).
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try {
            app.start();
        } catch (Exception e) {
            app.close(); // first, so that the reason is the last line an operator sees
            System.err.println("start failed: " + e.getMessage());
            return EXIT_START_FAILED;
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int timeout = app.liveConfig().get().shutdown().timeoutSeconds();
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(timeout));
                System.err.println("shutdown did not finish within " + timeout + " s (shutdown.timeoutSeconds); exiting anyway");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException ignored) {
                // stopped in time
            }
        });
        app.close();
        watchdog.interrupt();
        if (fatal.get() != null) {
            System.err.println("stopped: " + fatal.get().getMessage());
            return EXIT_START_FAILED;
        }
        return 0;
    }
}
