package io.evmore.cosmos.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CometBFT websocket subscription to {@code tm.event='NewBlock'}. It only wakes the follower up (the
 * follower always reads blocks over RPC from its cursor), so a lost message costs latency, never an event.
 * {@link #lastMessageAt()} feeds the follower's silence watchdog.
 */
public final class CometWebsocket implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometWebsocket.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Bound on one reassembled message. A NewBlock event carries the block; CometBFT's default max block size
     * (21 MiB, base64 in JSON) stays below this. Dropping a larger one costs latency only (polling fallback).
     */
    static final int MAX_MESSAGE_CHARS = 64 * 1024 * 1024;
    private final String name;
    private final WebSocket ws;
    private final HttpClient http;
    private volatile Instant lastMessageAt = Instant.now();
    private volatile boolean open = true;

    private CometWebsocket(String name, WebSocket ws, HttpClient http) {
        this.name = name;
        this.ws = ws;
        this.http = http;
    }

    /** ws(s)://host:port/websocket from an RPC base url (http(s)://host:port). */
    public static URI websocketUri(String rpcUrl) {
        URI u = URI.create(rpcUrl);
        String scheme = switch (u.getScheme()) {
            case "https", "wss" -> "wss";
            default -> "ws";
        };
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/")
                ? "/websocket" : (u.getRawPath().endsWith("/websocket") ? u.getRawPath() : u.getRawPath() + "/websocket");
        return URI.create(scheme + "://" + u.getRawAuthority() + path);
    }

    /** Connects and subscribes; {@code onNewBlock} gets each new height. Throws if the connection fails. */
    public static CometWebsocket connect(String name, URI uri, Duration timeout, LongConsumer onNewBlock) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        CometWebsocket[] self = new CometWebsocket[1];
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder buf = new StringBuilder();
            private boolean overflow;

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                if (buf.length() + data.length() > MAX_MESSAGE_CHARS) {
                    // A message only wakes the follower; a huge one (hostile or broken node) is not worth memory.
                    buf.setLength(0);
                    overflow = !last;
                    if (self[0] != null) self[0].lastMessageAt = Instant.now(); // the node is alive
                    log.debug("websocket {}: dropped a message larger than {} chars", name, MAX_MESSAGE_CHARS);
                    w.request(1);
                    return null;
                }
                if (overflow) {
                    overflow = !last; // the tail of a dropped message
                    w.request(1);
                    return null;
                }
                buf.append(data);
                if (last) {
                    String text = buf.toString();
                    buf.setLength(0);
                    if (self[0] != null) self[0].lastMessageAt = Instant.now();
                    handle(text, onNewBlock, name);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                if (self[0] != null) self[0].open = false;
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                if (self[0] != null) self[0].open = false;
                log.info("websocket {} error: {}", name, error.getClass().getSimpleName());
            }
        };
        try {
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(uri, listener)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            CometWebsocket c = new CometWebsocket(name, ws, http);
            self[0] = c;
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\",\"params\":{\"query\":\"tm.event='NewBlock'\"}}",
                    true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting websocket " + name);
        } catch (Exception e) {
            http.shutdownNow();
            throw new IllegalStateException("websocket " + name + " connect failed: " + e.getClass().getSimpleName());
        }
    }

    static void handle(String text, LongConsumer onNewBlock, String name) {
        try {
            JsonNode n = JSON.readTree(text);
            JsonNode data = n.path("result").path("data");
            if (!"tendermint/event/NewBlock".equals(data.path("type").asText())) return;
            String h = data.path("value").path("block").path("header").path("height").asText("");
            if (h.matches("[0-9]{1,19}")) onNewBlock.accept(Long.parseLong(h));
        } catch (Exception e) {
            log.debug("websocket {}: ignoring an unparseable message", name);
        }
    }

    public Instant lastMessageAt() {
        return lastMessageAt;
    }

    public boolean isOpen() {
        return open && !ws.isInputClosed() && !ws.isOutputClosed();
    }

    @Override
    public void close() {
        open = false;
        ws.abort();
        http.shutdownNow();
    }
}
