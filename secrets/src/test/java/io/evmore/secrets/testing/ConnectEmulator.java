package io.evmore.secrets.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.util.UUID;

/**
 * An HTTP emulation of a 1Password Connect server (none can run here: it is container-only), following the Connect
 * API reference: {@code GET /v1/vaults?filter=title eq "<title>"}, {@code GET /v1/vaults/{vaultUUID}/items?filter=title eq
 * "<title>"} (item summaries, no fields), {@code GET /v1/vaults/{vaultUUID}/items/{itemUUID}} (the full item with its
 * fields); Bearer authentication; errors as {@code {"status": <code>, "message": "..."}} with 401 for a bad token, 403
 * for a vault the token may not use, 404 for an unknown vault or item.
 */
public final class ConnectEmulator implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    public final WireMockServer server;
    public final String token;

    private ConnectEmulator(WireMockServer server, String token) {
        this.server = server;
        this.token = token;
    }

    public static ConnectEmulator start(String token) {
        WireMockServer s = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        s.start();
        ConnectEmulator c = new ConnectEmulator(s, token);
        // Anything without the right bearer token: 401, as Connect answers.
        s.stubFor(get(urlPathMatching("/v1/.*")).atPriority(10)
                .willReturn(error(401, "Invalid token signature")));
        // Unknown vaults and items by id: 404; a filter that matches nothing: an empty list.
        s.stubFor(get(urlPathMatching("/v1/vaults/[^/]+/items/[^/]+")).atPriority(8).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(error(404, "item not found")));
        s.stubFor(get(urlPathMatching("/v1/vaults/[^/]+/items")).atPriority(8).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(error(404, "vault not found")));
        s.stubFor(get(urlPathEqualTo("/v1/vaults")).atPriority(8).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(json(200, "[]")));
        return c;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** A vault the token may use; returns its id. */
    public String vault(String title) {
        String id = id();
        ArrayNode list = JSON.createArrayNode();
        list.addObject().put("id", id).put("name", title).put("attributeVersion", 1).put("contentVersion", 1).put("items", 0)
                .put("type", "USER_CREATED");
        server.stubFor(get(urlPathEqualTo("/v1/vaults")).atPriority(1).withHeader("Authorization", equalTo("Bearer " + token))
                .withQueryParam("filter", equalTo("title eq \"" + title + "\"")).willReturn(json(200, list.toString())));
        server.stubFor(get(urlPathMatching("/v1/vaults/" + id + "/items")).atPriority(5).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(json(200, "[]")));
        return id;
    }

    /** A vault listed for the token but whose items it may not read (403). */
    public String forbiddenVault(String title) {
        String id = vault(title);
        server.stubFor(get(urlPathMatching("/v1/vaults/" + id + "/items.*")).atPriority(2).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(error(403, "Unauthorized access")));
        return id;
    }

    /** An item titled {@code title} with one concealed field {@code label} = {@code value}. Returns the item id. */
    public String item(String vaultId, String title, String label, String value) {
        String id = id();
        ObjectNode summary = JSON.createObjectNode().put("id", id).put("title", title).put("category", "PASSWORD").put("version", 2);
        summary.putObject("vault").put("id", vaultId);
        ArrayNode list = JSON.createArrayNode().add(summary);
        server.stubFor(get(urlPathEqualTo("/v1/vaults/" + vaultId + "/items")).atPriority(1).withHeader("Authorization", equalTo("Bearer " + token))
                .withQueryParam("filter", equalTo("title eq \"" + title + "\"")).willReturn(json(200, list.toString())));
        ObjectNode full = summary.deepCopy();
        ArrayNode fields = full.putArray("fields");
        fields.addObject().put("id", "notesPlain").put("type", "STRING").put("purpose", "NOTES").put("label", "notesPlain");
        ObjectNode f = fields.addObject().put("id", label.equals("password") ? "password" : id()).put("type", "CONCEALED").put("label", label)
                .put("value", value);
        if (label.equals("password")) f.put("purpose", "PASSWORD");
        server.stubFor(get(urlPathEqualTo("/v1/vaults/" + vaultId + "/items/" + id)).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + token)).willReturn(json(200, full.toString())));
        return id;
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String message) {
        return json(status, JSON.createObjectNode().put("status", status).put("message", message).toString());
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 26);
    }

    @Override
    public void close() {
        server.stop();
    }
}
