package io.evmore.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.evmore.app.config.ConfigException;
import io.evmore.app.health.HealthCheck;
import io.evmore.app.health.HealthRegistry;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.evmore.app.metrics.MetricsExposition;
import io.javalin.util.JavalinException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface on port 3000: /health, /metrics and the admin API of the operations guide. Every
 * /admin route needs the bearer token; bodies are JSON, errors too ({"error": …}).
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    public static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();
    static final int MAX_PENDING_LIMIT = 1000;

    private final Javalin app;
    private final String host;
    private final int configuredPort;
    private final MetricsExposition exposition;
    /** Method(s) each path answers, for 405 + Allow on the others. */
    private final Map<String, Set<String>> allowed = new TreeMap<>();

    public HttpApi(String host, int port, HealthRegistry health, PrometheusRegistry metrics, BearerAuth auth,
            AdminOperations admin) {
        this(host, port, health, metrics, auth, admin, true);
    }

    /**
     * @param servesMetrics false when /metrics has a listener of its own ({@code http.metricsPort}): this port then
     *                      answers 404 for it, naming where it is
     */
    public HttpApi(String host, int port, HealthRegistry health, PrometheusRegistry metrics, BearerAuth auth,
            AdminOperations admin, boolean servesMetrics) {
        this(host, port, health, metrics, auth, admin, servesMetrics, path -> null);
    }

    /**
     * @param adminUnavailable why an /admin path is not served by this process now (answered 503 with it, before the
     *                         token is checked), or null when it is: only the lease holder serves the admin API
     */
    public HttpApi(String host, int port, HealthRegistry health, PrometheusRegistry metrics, BearerAuth auth,
            AdminOperations admin, boolean servesMetrics, java.util.function.Function<String, String> adminUnavailable) {
        this.host = host;
        this.configuredPort = port;
        this.exposition = new MetricsExposition(metrics, 10_000);
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = 64 * 1024;
            // Jetty answers some requests itself (400 bad request line, 431 headers too large): JSON like ours.
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));

            Handler healthHandler = ctx -> {
                HealthRegistry.Report r = health.check();
                Map<String, Object> body = new LinkedHashMap<>();
                boolean degraded = r.components().values().stream().anyMatch(HealthCheck.Result::degraded);
                body.put("status", !r.up() ? "DOWN" : degraded ? "DEGRADED" : "UP");
                Map<String, Object> comps = new LinkedHashMap<>();
                for (var e : r.components().entrySet()) {
                    HealthCheck.Result c = e.getValue();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("status", !c.up() ? "DOWN" : c.degraded() ? "DEGRADED" : "UP");
                    m.put("detail", c.detail());
                    if (!c.data().isEmpty()) m.put("data", c.data());
                    comps.put(e.getKey(), m);
                }
                body.put("components", comps);
                json(ctx, r.up() ? 200 : 503, body);
            };
            // HEAD runs the same handler (status and headers as GET; Jetty sends no body), so a HEAD probe sees 503 too.
            get(config, "/health", healthHandler);
            // Liveness only: the process answers. Readiness is /health.
            get(config, "/health/live", ctx -> json(ctx, 200, Map.of("status", "UP")));
            // with http.metricsPort, /metrics is not served here at all (404): only on its own listener
            if (servesMetrics) get(config, "/metrics", ctx -> ctx.contentType(exposition.contentType()).result(exposition.scrape()));

            config.routes.before("/admin/*", ctx -> {
                String unavailable = adminUnavailable.apply(ctx.path());
                if (unavailable != null) {
                    json(ctx, 503, Map.of("error", unavailable));
                    ctx.skipRemainingHandlers();
                    return;
                }
                if (!auth.allows(ctx.header("Authorization"))) {
                    ctx.header("WWW-Authenticate", "Bearer realm=\"evmore-admin\"");
                    json(ctx, 401, Map.of("error", "missing or invalid bearer token: send Authorization: Bearer <admin token>"));
                    ctx.skipRemainingHandlers();
                }
            });
            get(config, "/admin/pools/status", ok(ctx -> admin.poolsStatus()));
            post(config, "/admin/pools/drain", ok(ctx -> admin.poolsDrain()));
            post(config, "/admin/pools/refresh", ok(ctx -> admin.poolsRefresh()));
            post(config, "/admin/services/pause", ok(ctx -> {
                Object r = admin.pause();
                log.warn("admin: intake paused from {}", ctx.ip());
                return r;
            }));
            post(config, "/admin/services/resume", ok(ctx -> {
                Object r = admin.resume();
                log.warn("admin: intake resumed from {}", ctx.ip());
                return r;
            }));
            get(config, "/admin/services/status", ok(ctx -> admin.servicesStatus()));
            get(config, "/admin/config", ok(ctx -> admin.config()));
            post(config, "/admin/config/reload", ctx -> {
                try {
                    json(ctx, 200, admin.reloadConfig());
                } catch (io.evmore.app.secrets.ReloadRefusedException e) {
                    log.warn("admin: config reload refused: {}", e.getMessage());
                    json(ctx, 409, Map.of("error", "reload refused, nothing changed: " + e.getMessage()));
                } catch (ConfigException e) {
                    log.warn("admin: config reload refused: {}", e.getMessage());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("error", "invalid configuration, nothing changed: " + e.getMessage());
                    body.put("key", e.key());
                    json(ctx, 400, body);
                }
            });
            get(config, "/admin/swaps/pending", ctx -> {
                String raw = ctx.queryParam("limit");
                int limit = 100;
                if (raw != null) {
                    try {
                        limit = Integer.parseInt(raw);
                    } catch (NumberFormatException e) {
                        limit = -1;
                    }
                    if (limit < 1 || limit > MAX_PENDING_LIMIT) {
                        json(ctx, 400, Map.of("error", "query parameter limit must be an integer from 1 to " + MAX_PENDING_LIMIT + ", got \"" + raw + "\""));
                        return;
                    }
                }
                json(ctx, 200, admin.pendingSwaps(limit));
            });
            config.routes.get("/admin/swaps/{hashlock}", ctx -> {
                String h = ctx.pathParam("hashlock");
                if (!h.matches("(0x)?[0-9a-fA-F]{64}")) {
                    json(ctx, 400, Map.of("error", "path parameter hashlock must be 64 hex characters (sha256 of the secret)"));
                    return;
                }
                Object swap = admin.swap(h);
                if (swap == null) {
                    ctx.attribute(ANSWERED_404, true); // the route's own 404: the catch-all below must not replace its body
                    json(ctx, 404, Map.of("error", "no swap with hashlock " + h.toLowerCase()));
                } else {
                    json(ctx, 200, swap);
                }
            });

            config.routes.exception(NotReadyException.class, (e, ctx) -> json(ctx, 503, Map.of("error", e.getMessage())));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                json(ctx, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
            });
            config.routes.error(404, ctx -> {
                if (Boolean.TRUE.equals(ctx.attribute(ANSWERED_404))) return;
                Set<String> methods = allowed.get(ctx.path());
                if (methods != null) {
                    methodNotAllowed(ctx, methods);
                } else {
                    json(ctx, 404, Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path()));
                }
            });
            config.routes.error(405, ctx -> methodNotAllowed(ctx, allowed.getOrDefault(ctx.path(), Set.of())));
        });
    }

    /** Set by a route that answers 404 itself (a known path, an unknown resource): its body stands. */
    private static final String ANSWERED_404 = "evmore.answered404";

    private void get(io.javalin.config.JavalinConfig config, String path, Handler h) {
        config.routes.get(path, h);
        config.routes.head(path, h);
        allowed.computeIfAbsent(path, p -> new TreeSet<>()).addAll(Set.of("GET", "HEAD"));
    }

    private void post(io.javalin.config.JavalinConfig config, String path, Handler h) {
        config.routes.post(path, h);
        allowed.computeIfAbsent(path, p -> new TreeSet<>()).add("POST");
    }

    private static void methodNotAllowed(Context ctx, Set<String> methods) {
        String allow = String.join(", ", methods);
        ctx.header("Allow", allow);
        json(ctx, 405, Map.of("error", "method " + ctx.method() + " not allowed on " + ctx.path() + "; allowed: " + allow));
    }

    /** Jetty's own error answers (bad request line, headers too large, …) as {"error": …} JSON. */
    static final class JsonErrorHandler extends ErrorHandler {
        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
            String reason = org.eclipse.jetty.http.HttpStatus.getMessage(code);
            String text = message == null || message.isBlank() || message.equals(reason) ? reason : reason + ": " + message;
            byte[] body;
            try {
                body = JSON.writeValueAsBytes(Map.of("error", text));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                body = "{\"error\":\"request refused\"}".getBytes(StandardCharsets.UTF_8);
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    @FunctionalInterface
    private interface Body {
        Object handle(Context ctx) throws Exception;
    }

    private static Handler ok(Body body) {
        return ctx -> json(ctx, 200, body.handle(ctx));
    }

    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise response for " + ctx.path(), e);
        }
    }

    /** Binds and serves; a failure to bind names the host and port and the real cause. */
    public HttpApi start() {
        try {
            app.start();
        } catch (JavalinException e) {
            exposition.close();
            throw new IllegalStateException(bindFailure(host, configuredPort, e), e);
        }
        return this;
    }

    /** Javalin reports every bind failure as "Port already in use"; say what really happened. */
    static String bindFailure(String host, int port, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String where = "cannot listen on " + host + ":" + port + " (http.host, http.port): ";
        String msg = root.getMessage() == null ? "" : root.getMessage();
        if (root instanceof UnresolvedAddressException || root instanceof java.net.UnknownHostException) {
            return where + "host \"" + host + "\" is not an IP address or resolvable name";
        }
        if (root instanceof BindException && msg.toLowerCase(java.util.Locale.ROOT).contains("in use")) {
            return where + "port " + port + " is already in use by another process";
        }
        if (root instanceof BindException && msg.toLowerCase(java.util.Locale.ROOT).contains("assign")) {
            return where + "address " + host + " is not an address of this machine (" + msg + ")";
        }
        return where + root.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }

    /** The bound port (differs from the configured one when that was 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        exposition.close();
    }
}
