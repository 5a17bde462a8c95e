package io.evmore.secrets.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenBao dev server ({@code bao server -dev}) on 127.0.0.1 and a free port: in memory, unsealed, KV v2 at
 * {@code secret/}, with a known root token. Set-up calls go to its HTTP API with the root token.
 */
public final class OpenBao implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String ROOT_TOKEN = "evmore-test-root-token";

    private final ChildProcess server;
    private final Path home;
    public final int port;
    public final URI address;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

    private OpenBao(ChildProcess server, Path home, int port) {
        this.server = server;
        this.home = home;
        this.port = port;
        this.address = URI.create("http://127.0.0.1:" + port);
    }

    public static OpenBao start(Path dir) throws Exception {
        Path bao = SecretServers.bao();
        Path home = Files.createTempDirectory(dir, "bao-home"); // the dev server writes ~/.vault-token-like files: not the user's
        int port = SecretServers.freePort();
        long t0 = System.nanoTime();
        ChildProcess p = new ChildProcess(List.of(bao.toString(), "server", "-dev", "-dev-listen-address=127.0.0.1:" + port,
                "-dev-root-token-id=" + ROOT_TOKEN, "-dev-no-store-token"), home, Map.of("HOME", home.toString(), "BAO_ADDR", "", "VAULT_ADDR", ""));
        OpenBao b = new OpenBao(p, home, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!p.process.isAlive()) throw new AssertionError("bao server -dev exited:\n" + p.output());
            try {
                if (b.call("GET", "/v1/sys/health", null, null).statusCode() == 200) break;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                b.close();
                throw new AssertionError("bao server -dev did not answer within 30 s:\n" + p.output());
            }
            Thread.sleep(50);
        }
        System.out.printf("OpenBao %s dev server ready on %s in %d ms%n", SecretServers.OPENBAO_VERSION, b.address,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return b;
    }

    public HttpResponse<String> call(String method, String path, String body, String token) throws IOException, InterruptedException {
        return call(null, method, path, body, token);
    }

    /** A call in a namespace (X-Vault-Namespace; OpenBao has namespaces like Vault Enterprise). */
    public HttpResponse<String> call(String namespace, String method, String path, String body, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(address.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("X-Vault-Token", token);
        if (namespace != null) b.header("X-Vault-Namespace", namespace);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A root call that must succeed; returns its JSON (or an empty object for 204). */
    public JsonNode root(String method, String path, Object body) {
        return rootIn(null, method, path, body);
    }

    /** A root call in a namespace (null = the root namespace) that must succeed. */
    public JsonNode rootIn(String namespace, String method, String path, Object body) {
        try {
            HttpResponse<String> r = call(namespace, method, path, body == null ? null : JSON.writeValueAsString(body), ROOT_TOKEN);
            if (r.statusCode() / 100 != 2) throw new AssertionError(method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    /** Writes a KV v2 secret at secret/{path} with these fields. */
    public void put(String path, Map<String, String> fields) {
        root("POST", "/v1/secret/data/" + path, Map.of("data", fields));
    }

    /** An ACL policy. */
    public void policy(String name, String hcl) {
        root("PUT", "/v1/sys/policies/acl/" + name, Map.of("policy", hcl));
    }

    /** A child token with these policies and TTL (0 = the default), renewable. */
    public String token(List<String> policies, String ttl, String explicitMaxTtl, boolean renewable) {
        ObjectNode body = JSON.createObjectNode();
        body.putPOJO("policies", policies);
        if (ttl != null) body.put("ttl", ttl);
        if (explicitMaxTtl != null) body.put("explicit_max_ttl", explicitMaxTtl);
        body.put("renewable", renewable);
        body.put("no_default_policy", false);
        return root("POST", "/v1/auth/token/create", body).path("auth").path("client_token").asText();
    }

    /** Enables AppRole with a role of these policies; returns {role_id, secret_id}. */
    public String[] appRole(String role, List<String> policies, String tokenTtl, String tokenMaxTtl) {
        JsonNode auths = root("GET", "/v1/sys/auth", null);
        if (!auths.path("data").has("approle/") && !auths.has("approle/")) root("POST", "/v1/sys/auth/approle", Map.of("type", "approle"));
        ObjectNode body = JSON.createObjectNode();
        body.put("token_policies", String.join(",", policies));
        body.put("token_ttl", tokenTtl);
        body.put("token_max_ttl", tokenMaxTtl);
        root("POST", "/v1/auth/approle/role/" + role, body);
        String roleId = root("GET", "/v1/auth/approle/role/" + role + "/role-id", null).path("data").path("role_id").asText();
        String secretId = root("POST", "/v1/auth/approle/role/" + role + "/secret-id", Map.of()).path("data").path("secret_id").asText();
        return new String[] {roleId, secretId};
    }

    /** Seals the server with the real CLI ({@code bao operator seal}). */
    public void seal() throws Exception {
        Path out = Files.createTempFile(home, "seal", ".log");
        ProcessBuilder pb = new ProcessBuilder(SecretServers.bao().toString(), "operator", "seal").redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("BAO_ADDR", address.toString());
        pb.environment().put("BAO_TOKEN", ROOT_TOKEN);
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bao operator seal did not finish: " + Files.readString(out));
        }
        if (p.exitValue() != 0) throw new AssertionError("bao operator seal failed: " + Files.readString(out));
    }

    public String output() {
        return server.output();
    }

    @Override
    public void close() {
        server.close();
    }
}
