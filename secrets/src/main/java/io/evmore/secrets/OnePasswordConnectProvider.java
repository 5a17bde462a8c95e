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

/**
 * Provider {@code onepassword} through a 1Password Connect server's REST API (Bearer OP_CONNECT_TOKEN): the vault by
 * title ({@code GET /v1/vaults?filter=title eq "<vault>"}), the item by title ({@code GET
 * /v1/vaults/{vaultId}/items?filter=title eq "<name>"}), then the item ({@code GET /v1/vaults/{vaultId}/items/{itemId}})
 * and its field whose label (or id) is {@code field}.
 */
public final class OnePasswordConnectProvider implements SecretsProvider {
    public static final String TOKEN_ENV = "OP_CONNECT_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Settings(URI connectHost, String vault, String field, String token, Duration timeout) {
        public Settings {
            field = field == null || field.isBlank() ? "password" : field;
            timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        }

        @Override
        public String toString() {
            return "Settings[" + connectHost + " vault " + vault + " field " + field + "]";
        }
    }

    private final Settings s;
    private final HttpClient http;
    private final String name;
    private volatile String vaultId;

    public OnePasswordConnectProvider(Settings settings) {
        this.s = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).version(HttpClient.Version.HTTP_1_1).build();
        this.name = "onepassword (Connect " + settings.connectHost() + ", vault " + settings.vault() + ")";
    }

    @Override
    public String kind() {
        return "onepassword";
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public String where(SecretName secret) {
        return "op://" + s.vault() + "/" + secret.id() + "/" + s.field();
    }

    @Override
    public Optional<Fetched> fetch(SecretName secret) {
        if (s.token() == null || s.token().isBlank()) {
            throw new SecretsException(name, secret, SecretsException.Kind.AUTH, TOKEN_ENV + " is not set (the Connect server's access token)");
        }
        String vid = vaultId(secret);
        JsonNode items = get(secret, "/v1/vaults/" + enc(vid) + "/items?filter=" + filter(secret.id()), "listing items titled " + secret.id());
        if (items == null || !items.isArray() || items.isEmpty()) return Optional.empty();
        if (items.size() > 1) {
            throw new SecretsException(name, secret, SecretsException.Kind.CONFIG, items.size() + " items are titled " + secret.id()
                    + " in vault " + s.vault() + "; keep one");
        }
        String itemId = items.get(0).path("id").asText();
        JsonNode item = get(secret, "/v1/vaults/" + enc(vid) + "/items/" + enc(itemId), "reading item " + secret.id());
        if (item == null) return Optional.empty(); // deleted between the two calls
        List<String> labels = new ArrayList<>();
        for (JsonNode f : item.path("fields")) {
            String label = f.path("label").asText("");
            labels.add(label);
            if (label.equals(s.field()) || f.path("id").asText("").equals(s.field())) {
                String v = f.path("value").asText("");
                if (v.isBlank()) return Optional.empty();
                return Optional.of(new Fetched(secret, SecretValue.of(v), "onepassword Connect " + s.connectHost() + " op://" + s.vault()
                        + "/" + secret.id() + "/" + s.field() + " (item " + itemId + ", version " + item.path("version").asInt() + ")"));
            }
        }
        throw new SecretsException(name, secret, SecretsException.Kind.MALFORMED, "item " + secret.id() + " has no field \"" + s.field()
                + "\" (its fields: " + String.join(", ", labels) + "; set secrets.onepassword.field)");
    }

    private String vaultId(SecretName secret) {
        String v = vaultId;
        if (v != null) return v;
        JsonNode vaults = get(secret, "/v1/vaults?filter=" + filter(s.vault()), "finding vault " + s.vault());
        if (vaults == null || !vaults.isArray() || vaults.isEmpty()) {
            throw new SecretsException(name, secret, SecretsException.Kind.CONFIG, "no vault titled \"" + s.vault()
                    + "\" is shared with this Connect token (secrets.onepassword.vault)");
        }
        v = vaults.get(0).path("id").asText();
        vaultId = v;
        return v;
    }

    private static String filter(String title) {
        return URLEncoder.encode("title eq \"" + title + "\"", StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The JSON answer, or null on 404. */
    private JsonNode get(SecretName secret, String path, String doing) {
        HttpRequest req = HttpRequest.newBuilder(s.connectHost().resolve(path)).timeout(s.timeout())
                .header("Authorization", "Bearer " + s.token()).header("Accept", "application/json").GET().build();
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "no answer within " + s.timeout().toSeconds() + " s " + doing);
        } catch (IOException e) {
            throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "cannot reach " + s.connectHost() + " ("
                    + e.getClass().getSimpleName() + ") " + doing);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "interrupted", false);
        }
        JsonNode body;
        try {
            body = r.body() == null || r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            body = JSON.nullNode();
        }
        int status = r.statusCode();
        if (status == 200) return body;
        // Connect's errors: {"status": 401, "message": "Invalid token signature"}
        String message = body.path("message").asText("");
        String detail = "HTTP " + status + (message.isEmpty() ? "" : ": " + message);
        return switch (status) {
            case 404 -> null;
            case 401 -> throw new SecretsException(name, secret, SecretsException.Kind.AUTH, "the Connect server refused " + TOKEN_ENV
                    + " (" + detail + ") " + doing);
            case 403 -> throw new SecretsException(name, secret, SecretsException.Kind.DENIED, "access denied (" + detail + ") " + doing);
            case 429 -> throw new SecretsException(name, secret, SecretsException.Kind.THROTTLED, "throttled (" + detail + ") " + doing);
            default -> throw new SecretsException(name, secret, status >= 500 ? SecretsException.Kind.UNAVAILABLE : SecretsException.Kind.CONFIG,
                    detail + " " + doing);
        };
    }
}
