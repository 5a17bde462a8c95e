package io.evmore.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provider {@code vault}: HashiCorp Vault (or OpenBao) KV version 2 over its HTTP API. {@code mountPath}
 * {@code secret/evmore} means the KV v2 engine mounted at {@code secret} and one secret per name under {@code evmore/}
 * ({@code GET /v1/secret/data/evmore/ethereum-private-key}), its value in the field {@code field} ({@code value}).
 *
 * <p>Authentication: a token (VAULT_TOKEN) or an AppRole login (role id and secret id). A renewable token is renewed
 * before it expires (at two thirds of its TTL); an AppRole token that can no longer be renewed is replaced by a new
 * login. Vault Enterprise namespaces go in the {@code X-Vault-Namespace} header.
 */
public final class VaultSecretsProvider implements SecretsProvider {
    private static final Logger log = LoggerFactory.getLogger(VaultSecretsProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param endpoint     Vault's address, e.g. https://vault.example:8200
     * @param mountPath    KV v2 mount and path prefix, e.g. secret/evmore (the first segment is the mount)
     * @param field        the field of each secret that holds the value (default value)
     * @param namespace    Vault Enterprise namespace (X-Vault-Namespace), empty for none
     * @param token        the token (VAULT_TOKEN) when {@code roleId} is empty
     * @param roleId       AppRole role id: log in with it and {@code secretId} instead of using a token
     * @param secretId     AppRole secret id
     * @param appRoleMount where the AppRole auth method is mounted (default approle)
     * @param timeout      bound on each HTTP request
     */
    public record Settings(URI endpoint, String mountPath, String field, String namespace, String token, String roleId,
            String secretId, String appRoleMount, Duration timeout) {
        public Settings {
            if (endpoint == null) throw new IllegalArgumentException("endpoint is required");
            mountPath = trimSlashes(mountPath == null || mountPath.isBlank() ? "secret" : mountPath);
            field = field == null || field.isBlank() ? "value" : field;
            namespace = namespace == null ? "" : namespace.strip();
            appRoleMount = trimSlashes(appRoleMount == null || appRoleMount.isBlank() ? "approle" : appRoleMount);
            timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        }

        boolean appRole() {
            return roleId != null && !roleId.isBlank();
        }

        @Override
        public String toString() {
            return "Settings[" + endpoint + " " + mountPath + " field " + field + (appRole() ? " approle" : " token") + "]";
        }
    }

    private final Settings s;
    private final String mount;
    private final String prefix;
    private final HttpClient http;
    private final String name;
    private final ScheduledExecutorService renewer;
    private final AtomicInteger renewals = new AtomicInteger();
    private final AtomicInteger logins = new AtomicInteger();
    private volatile String token;
    private volatile boolean tokenChecked;
    private ScheduledFuture<?> nextRenewal;

    public VaultSecretsProvider(Settings settings) {
        this.s = settings;
        int slash = settings.mountPath().indexOf('/');
        this.mount = slash < 0 ? settings.mountPath() : settings.mountPath().substring(0, slash);
        this.prefix = slash < 0 ? "" : settings.mountPath().substring(slash + 1);
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).version(HttpClient.Version.HTTP_1_1).build();
        this.name = "vault (" + stripUserInfo(settings.endpoint()) + ")";
        this.token = settings.appRole() ? null : settings.token();
        this.renewer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("vault-token-renewal").factory());
    }

    @Override
    public String kind() {
        return "vault";
    }

    @Override
    public String describe() {
        return name;
    }

    /** Tokens renewed so far (tests). */
    public int renewals() {
        return renewals.get();
    }

    /** AppRole logins so far (tests). */
    public int logins() {
        return logins.get();
    }

    @Override
    public String where(SecretName secret) {
        return mount + "/" + (prefix.isEmpty() ? "" : prefix + "/") + secret.id() + " field " + s.field();
    }

    @Override
    public Optional<Fetched> fetch(SecretName secret) {
        String tok = ensureToken(secret);
        String path = (prefix.isEmpty() ? "" : prefix + "/") + secret.id();
        String url = "/v1/" + encodePath(mount) + "/data/" + encodePath(path);
        Answer a = send(secret, "GET", url, null, tok);
        String where = mount + "/" + path;
        switch (a.status) {
            case 200 -> {
                JsonNode data = a.body.path("data").path("data");
                if (!data.isObject()) return Optional.empty(); // a deleted or destroyed version
                JsonNode v = data.get(s.field());
                if (v == null || v.isNull()) {
                    List<String> fields = new ArrayList<>();
                    data.fieldNames().forEachRemaining(fields::add);
                    throw new SecretsException(name, secret, SecretsException.Kind.MALFORMED,
                            "secret " + where + " has no field \"" + s.field() + "\" (its fields: " + String.join(", ", fields)
                                    + "; set secrets.vault.field)");
                }
                if (!v.isTextual()) {
                    throw new SecretsException(name, secret, SecretsException.Kind.MALFORMED,
                            "field \"" + s.field() + "\" of secret " + where + " is a " + v.getNodeType().toString().toLowerCase() + ", not a string");
                }
                if (v.asText().isBlank()) return Optional.empty();
                long version = a.body.path("data").path("metadata").path("version").asLong(0);
                return Optional.of(new Fetched(secret, SecretValue.of(v.asText()),
                        "vault " + stripUserInfo(s.endpoint()) + " " + where + " field " + s.field() + (version > 0 ? " (version " + version + ")" : "")));
            }
            case 404 -> {
                if (a.errors().isEmpty()) return Optional.empty();
                throw new SecretsException(name, secret, SecretsException.Kind.CONFIG, "no KV v2 engine answers at " + mount
                        + "/ (HTTP 404: " + String.join("; ", a.errors()) + "); check secrets.vault.mountPath");
            }
            default -> throw failure(secret, a, "reading " + where);
        }
    }

    private String ensureToken(SecretName secret) {
        if (s.appRole()) {
            if (token == null) login(secret);
            return token;
        }
        String tok = token;
        if (tok == null || tok.isBlank()) {
            throw new SecretsException(name, secret, SecretsException.Kind.AUTH, "no token: set VAULT_TOKEN or an AppRole (secrets.vault.roleId and VAULT_SECRET_ID)");
        }
        if (!tokenChecked) {
            Answer a = send(secret, "GET", "/v1/auth/token/lookup-self", null, tok);
            if (a.status != 200) throw failure(secret, a, "looking up VAULT_TOKEN");
            tokenChecked = true;
            JsonNode d = a.body.path("data");
            scheduleRenewal(d.path("ttl").asLong(0), d.path("renewable").asBoolean(false));
        }
        return tok;
    }

    private synchronized void login(SecretName secret) {
        if (s.secretId() == null || s.secretId().isBlank()) {
            throw new SecretsException(name, secret, SecretsException.Kind.AUTH, "AppRole login needs a secret id: set VAULT_SECRET_ID");
        }
        String body = JSON.createObjectNode().put("role_id", s.roleId()).put("secret_id", s.secretId()).toString();
        Answer a = send(secret, "POST", "/v1/auth/" + encodePath(s.appRoleMount()) + "/login", body, null);
        if (a.status != 200) throw failure(secret, a, "AppRole login at auth/" + s.appRoleMount());
        JsonNode auth = a.body.path("auth");
        String t = auth.path("client_token").asText("");
        if (t.isEmpty()) throw new SecretsException(name, secret, SecretsException.Kind.AUTH, "AppRole login answered without a token");
        token = t;
        tokenChecked = true;
        logins.incrementAndGet();
        log.info("vault: AppRole login at auth/{} ok; token valid for {} s{}", s.appRoleMount(), auth.path("lease_duration").asLong(),
                auth.path("renewable").asBoolean() ? ", renewable" : "");
        scheduleRenewal(auth.path("lease_duration").asLong(0), auth.path("renewable").asBoolean(false));
    }

    /** Renews (or, for AppRole, logs in again) at two thirds of the TTL; a TTL of 0 never expires (a root token). */
    private synchronized void scheduleRenewal(long ttlSeconds, boolean renewable) {
        if (nextRenewal != null) nextRenewal.cancel(false);
        nextRenewal = null;
        if (ttlSeconds <= 0 || renewer.isShutdown()) return;
        if (!renewable && !s.appRole()) {
            log.warn("vault: the token expires in {} s and is not renewable; secrets cannot be read after that", ttlSeconds);
            return;
        }
        long delayMs = Math.max(500, ttlSeconds * 1000 * 2 / 3);
        nextRenewal = renewer.schedule(() -> maintain(renewable), delayMs, TimeUnit.MILLISECONDS);
    }

    private void maintain(boolean renewable) {
        try {
            if (renewable) {
                Answer a = send(null, "POST", "/v1/auth/token/renew-self", "{}", token);
                if (a.status == 200) {
                    JsonNode auth = a.body.path("auth");
                    long ttl = auth.path("lease_duration").asLong(0);
                    renewals.incrementAndGet();
                    log.info("vault: token renewed; valid for {} s", ttl);
                    if (ttl > 1 || !s.appRole()) {
                        scheduleRenewal(ttl, auth.path("renewable").asBoolean(false));
                        return;
                    }
                } else {
                    log.warn("vault: token renewal refused: {}", failure(null, a, "renewing the token").getMessage());
                }
            }
            if (s.appRole()) {
                login(null); // reaches its max TTL or was not renewable: a fresh login
            }
        } catch (RuntimeException e) {
            log.warn("vault: token renewal failed: {}; trying again in 5 s", e.getMessage());
            synchronized (this) {
                if (!renewer.isShutdown()) nextRenewal = renewer.schedule(() -> maintain(renewable), 5, TimeUnit.SECONDS);
            }
        }
    }

    private record Answer(int status, JsonNode body) {
        List<String> errors() {
            List<String> out = new ArrayList<>();
            for (JsonNode e : body.path("errors")) out.add(e.asText());
            return out;
        }
    }

    private Answer send(SecretName secret, String method, String path, String body, String tok) {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.endpoint().resolve(path)).timeout(s.timeout())
                .header("X-Vault-Request", "true")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (tok != null) b.header("X-Vault-Token", tok);
        if (!s.namespace().isEmpty()) b.header("X-Vault-Namespace", s.namespace());
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "no answer within " + s.timeout().toSeconds() + " s");
        } catch (IOException e) {
            throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "cannot reach " + stripUserInfo(s.endpoint())
                    + " (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "interrupted", false);
        }
        JsonNode json;
        try {
            json = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            json = JSON.createObjectNode(); // a proxy's HTML page: the status says enough
        }
        return new Answer(r.statusCode(), json);
    }

    private SecretsException failure(SecretName secret, Answer a, String doing) {
        String errors = String.join("; ", a.errors());
        String detail = errors.isEmpty() ? "" : ": " + errors;
        return switch (a.status) {
            case 400 -> new SecretsException(name, secret, s.appRole() && doing.startsWith("AppRole") ? SecretsException.Kind.AUTH
                    : SecretsException.Kind.CONFIG, doing + " refused (HTTP 400" + detail + ")");
            case 401, 403 -> new SecretsException(name, secret, SecretsException.Kind.DENIED, "permission denied (HTTP " + a.status + ") "
                    + doing + ": the token may not read it, or it expired or was revoked");
            case 429 -> new SecretsException(name, secret, SecretsException.Kind.THROTTLED, "throttled (HTTP 429) " + doing);
            case 503 -> errors.toLowerCase().contains("sealed")
                    ? new SecretsException(name, secret, SecretsException.Kind.SEALED, "Vault is sealed (HTTP 503) " + doing
                            + "; unseal it (vault operator unseal)")
                    : new SecretsException(name, secret, SecretsException.Kind.UNAVAILABLE, "unavailable (HTTP 503" + detail + ") " + doing);
            default -> a.status >= 500 || a.status == 412
                    ? new SecretsException(name, secret, SecretsException.Kind.UNAVAILABLE, "HTTP " + a.status + detail + " " + doing)
                    : new SecretsException(name, secret, SecretsException.Kind.CONFIG, "HTTP " + a.status + detail + " " + doing);
        };
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }

    static String encodePath(String path) {
        List<String> out = new ArrayList<>();
        for (String seg : path.split("/")) out.add(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        return String.join("/", out);
    }

    static String trimSlashes(String p) {
        String t = p.strip();
        while (t.startsWith("/")) t = t.substring(1);
        while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
        return t;
    }

    static String stripUserInfo(URI u) {
        if (u.getRawUserInfo() == null) return u.toString();
        return u.getScheme() + "://" + u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "") + (u.getRawPath() == null ? "" : u.getRawPath());
    }
}
