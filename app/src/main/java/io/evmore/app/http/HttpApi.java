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
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
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

    public HttpApi(String host, int port, HealthRegistry health, PrometheusRegistry metrics, BearerAuth auth,
            AdminOperations admin) {
        PrometheusTextFormatWriter metricsWriter = PrometheusTextFormatWriter.create();
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.port = port;
            config.http.maxRequestSize = 64 * 1024;

            config.routes.get("/health", ctx -> {
                HealthRegistry.Report r = health.check();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", r.up() ? "UP" : "DOWN");
                Map<String, Object> comps = new LinkedHashMap<>();
                for (var e : r.components().entrySet()) {
                    HealthCheck.Result c = e.getValue();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("status", c.up() ? "UP" : "DOWN");
                    m.put("detail", c.detail());
                    if (!c.data().isEmpty()) m.put("data", c.data());
                    comps.put(e.getKey(), m);
                }
                body.put("components", comps);
                json(ctx, r.up() ? 200 : 503, body);
            });
            // Liveness only: the process answers. Readiness is /health.
            config.routes.get("/health/live", ctx -> json(ctx, 200, Map.of("status", "UP")));
            config.routes.get("/metrics", ctx -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
                metricsWriter.write(out, metrics.scrape());
                ctx.contentType(metricsWriter.getContentType()).result(out.toByteArray());
            });

            config.routes.before("/admin/*", ctx -> {
                if (!auth.allows(ctx.header("Authorization"))) {
                    ctx.header("WWW-Authenticate", "Bearer realm=\"evmore-admin\"");
                    json(ctx, 401, Map.of("error", "missing or invalid bearer token: send Authorization: Bearer <admin token>"));
                    ctx.skipRemainingHandlers();
                }
            });
            config.routes.get("/admin/pools/status", ok(ctx -> admin.poolsStatus()));
            config.routes.post("/admin/pools/drain", ok(ctx -> admin.poolsDrain()));
            config.routes.post("/admin/pools/refresh", ok(ctx -> admin.poolsRefresh()));
            config.routes.post("/admin/services/pause", ok(ctx -> {
                Object r = admin.pause();
                log.warn("admin: intake paused from {}", ctx.ip());
                return r;
            }));
            config.routes.post("/admin/services/resume", ok(ctx -> {
                Object r = admin.resume();
                log.warn("admin: intake resumed from {}", ctx.ip());
                return r;
            }));
            config.routes.get("/admin/services/status", ok(ctx -> admin.servicesStatus()));
            config.routes.get("/admin/config", ok(ctx -> admin.config()));
            config.routes.post("/admin/config/reload", ctx -> {
                try {
                    json(ctx, 200, admin.reloadConfig());
                } catch (ConfigException e) {
                    log.warn("admin: config reload refused: {}", e.getMessage());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("error", "invalid configuration, nothing changed: " + e.getMessage());
                    body.put("key", e.key());
                    json(ctx, 400, body);
                }
            });
            config.routes.get("/admin/swaps/pending", ctx -> {
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
                if (swap == null) json(ctx, 404, Map.of("error", "no swap with hashlock " + h.toLowerCase()));
                else json(ctx, 200, swap);
            });

            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("{} {} failed", ctx.method(), ctx.path(), e);
                json(ctx, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
            });
            config.routes.error(404, ctx -> json(ctx, 404, Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path())));
            config.routes.error(405, ctx -> json(ctx, 405, Map.of("error", "method " + ctx.method() + " not allowed on " + ctx.path())));
        });
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

    public HttpApi start() {
        app.start();
        return this;
    }

    /** The bound port (differs from the configured one when that was 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
