package io.evmore.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.app.testing.RelayerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process refuses to start on bad configuration, with one line naming the key. */
class StartupFailureIT {
    @TempDir
    Path dir;

    private String failWith(String yaml, Map<String, String> env) throws Exception {
        Path cfg = dir.resolve("relayer.yaml");
        Files.writeString(cfg, yaml);
        try (RelayerProcess p = RelayerProcess.start(dir, 0, env, "run", "--config", cfg.toString())) {
            int code = p.awaitExit(Duration.ofSeconds(60));
            assertThat(code).as(p.output()).isEqualTo(2);
            return p.output().strip();
        }
    }

    @Test
    void productionWithoutTokenRefusesToStart() throws Exception {
        String out = failWith("http: {port: " + RelayerProcess.freePort() + "}\n", Map.of("FUSION_ENV", "production"));
        assertThat(out).isEqualTo("config error: admin.token: is required when environment is production (set ADMIN_TOKEN)");
    }

    @Test
    void unknownKeyRefusesToStart() throws Exception {
        String out = failWith("http: {port: 3000, hots: x}\n", Map.of());
        assertThat(out).startsWith("config error: http.hots: unknown key").doesNotContain("\n");
    }
}
