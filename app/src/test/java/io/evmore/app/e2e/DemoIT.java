package io.evmore.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.app.testing.RelayerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evmore demo} as a process: its swaps end, every step is a line with the elapsed time, the chain and the
 * transaction, a balance table follows, then the relayer keeps serving /health and /metrics until SIGTERM (exit 0).
 */
class DemoIT {
    @TempDir
    Path dir;

    @Test
    void theDemoSwapsThenServesUntilStopped() throws Exception {
        int port = RelayerProcess.freePort();
        Map<String, String> env = Map.of("EVMORE_ROOT", Path.of("").toAbsolutePath().getParent().toString());
        try (RelayerProcess demo = RelayerProcess.start(dir, port, env, "demo", "--dir", dir.resolve("demo").toString(),
                "--port", Integer.toString(port), "--block-interval", "500ms")) {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!demo.output().contains("demo: serving")) {
                if (System.nanoTime() > deadline || demo.awaitExit(Duration.ofMillis(300)) != -1) {
                    throw new AssertionError("the demo did not finish its swaps:\n" + demo.output());
                }
            }
            String out = demo.output();
            Matcher m = Pattern.compile("demo: (\\d) swap\\(s\\) completed").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            int completed = Integer.parseInt(m.group(1));
            // ETH -> devnet-a, ETH -> devnet-c over two IBC hops, devnet-a -> ETH
            assertThat(completed).as(out).isEqualTo(3);
            assertThat(out).contains("swap 1/3: 0.1 ETH on eip155:31337 -> bob on devnet-a")
                    .contains("swap 2/3: 0.1 ETH on eip155:31337 -> carol on devnet-c, delivered over two IBC hops (devnet-a -> devnet-b -> devnet-c)")
                    .contains("swap 3/3: 10 stake on devnet-a -> user2");
            assertThat(out).containsPattern("\\[ *[0-9.]+s\\]   relayer devnet-c: COUNTER_LOCKED .*")
                    .containsPattern("\\[ *[0-9.]+s\\]   user    devnet-c: claimed htlc_\\d+ in tx [0-9A-F]{64}");
            // a line per step: elapsed time, chain, transaction
            assertThat(out).containsPattern("\\[ *[0-9.]+s\\]   user    eip155:31337: locked .* in tx 0x[0-9a-f]{64}")
                    .containsPattern("\\[ *[0-9.]+s\\]   relayer devnet-a: COUNTER_LOCKED .* tx [0-9A-F]{64}")
                    .containsPattern("\\[ *[0-9.]+s\\]   user    devnet-a: claimed htlc_\\d+ in tx [0-9A-F]{64}")
                    .containsPattern("\\[ *[0-9.]+s\\]   relayer eip155:31337: COMPLETED .* tx 0x[0-9a-f]{64}")
                    .containsPattern("\\[ *[0-9.]+s\\]   relayer devnet-a: COMPLETED .* tx [0-9A-F]{64}");
            assertThat(out).contains("balances").containsPattern("bob \\(receiver\\) +devnet-a +stake +1000000 +1000009.97 +\\+9.97")
                    .containsPattern("user2 \\(receiver\\) +eip155:31337 +ETH +10000 +10000.0997 +\\+0.0997");

            assertThat(demo.get("/health", null).statusCode()).isEqualTo(200);
            String metrics = demo.get("/metrics", null).body();
            assertThat(metrics).contains("evmore_relay_swaps_total{status=\"completed\"} " + completed + ".0");
            assertThat(demo.terminate(Duration.ofSeconds(60))).as(demo.output()).isZero();
        }
    }
}
