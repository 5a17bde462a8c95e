package io.evmore.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.testing.RelayerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin token rotation by reload, on the real application in this JVM (SQLite, HTTP on 127.0.0.1). */
class AdminTokenReloadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFIGURED = "configured-admin-token-7e1d90ab";
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpResponse<String> send(int port, String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) b.header("Authorization", "Bearer " + token);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String config(int port, Path dir, String token) {
        return """
                environment: test
                http: {host: 127.0.0.1, port: %d}
                admin: {token: "%s"}
                database: {path: "%s"}
                """.formatted(port, token, dir.resolve("data/evmore.db"));
    }

    @Test
    void aReloadLeavesExactlyOneValidTokenAndSaysWhereItCameFrom() throws Exception {
        Assumptions.assumeTrue(System.getenv("ADMIN_TOKEN") == null, "ADMIN_TOKEN in the environment would override the file");
        int port = RelayerProcess.freePort();
        Path cfg = dir.resolve("relayer.yaml");
        Path tokenFile = dir.resolve("data/admin.token");
        Files.writeString(cfg, config(port, dir, ""));
        try (RelayerApp app = new RelayerApp(cfg, ConfigLoader.load(cfg)).start()) {
            String generated = Files.readString(tokenFile).trim();
            assertThat(send(port, "GET", "/admin/services/status", generated).statusCode()).isEqualTo(200);

            // Set a token in the file: it works, the generated one stops working and its file goes.
            Files.writeString(cfg, config(port, dir, CONFIGURED));
            var set = send(port, "POST", "/admin/config/reload", generated);
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            JsonNode setBody = JSON.readTree(set.body());
            assertThat(setBody.get("applied").toString()).contains("admin.token");
            assertThat(setBody.get("adminTokenSource").asText()).isEqualTo("config file (admin.token)");
            assertThat(send(port, "GET", "/admin/services/status", CONFIGURED).statusCode()).isEqualTo(200);
            assertThat(send(port, "GET", "/admin/services/status", generated).statusCode()).isEqualTo(401);
            assertThat(tokenFile).doesNotExist();

            // Blank it: the configured token is revoked, a fresh generated one is the only valid token.
            Files.writeString(cfg, config(port, dir, ""));
            var cleared = send(port, "POST", "/admin/config/reload", CONFIGURED);
            assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
            JsonNode clearedBody = JSON.readTree(cleared.body());
            assertThat(clearedBody.get("applied").toString()).contains("admin.token");
            assertThat(clearedBody.get("adminTokenSource").asText()).isEqualTo("generated file " + tokenFile.toAbsolutePath());
            assertThat(clearedBody.toString()).doesNotContain(CONFIGURED);
            String regenerated = Files.readString(tokenFile).trim();
            assertThat(regenerated).isNotEqualTo(generated);
            assertThat(send(port, "GET", "/admin/services/status", CONFIGURED).statusCode()).isEqualTo(401);
            assertThat(send(port, "GET", "/admin/services/status", generated).statusCode()).isEqualTo(401);
            assertThat(send(port, "GET", "/admin/services/status", regenerated).statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(send(port, "GET", "/admin/config", regenerated).body()).get("admin").get("token").asText()).isEmpty();

            // A reload that does not touch admin.token keeps the token (no new file per reload).
            Files.writeString(cfg, config(port, dir, "") + "logLevel: debug\n");
            assertThat(send(port, "POST", "/admin/config/reload", regenerated).statusCode()).isEqualTo(200);
            assertThat(Files.readString(tokenFile).trim()).isEqualTo(regenerated);
            assertThat(send(port, "GET", "/admin/services/status", regenerated).statusCode()).isEqualTo(200);
        }
    }
}
