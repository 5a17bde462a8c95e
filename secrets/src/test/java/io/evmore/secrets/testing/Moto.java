package io.evmore.secrets.testing;

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

/** A real moto server ({@code moto_server}) emulating AWS Secrets Manager (and IAM) on 127.0.0.1 and a free port. */
public final class Moto implements AutoCloseable {
    private final ChildProcess server;
    public final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).version(HttpClient.Version.HTTP_1_1).build();

    private Moto(ChildProcess server, int port) {
        this.server = server;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
    }

    public static Moto start(Path dir) throws Exception {
        Path motoServer = SecretServers.motoServer();
        int port = SecretServers.freePort();
        long t0 = System.nanoTime();
        Path home = Files.createTempDirectory(dir, "moto-home");
        ChildProcess p = new ChildProcess(List.of(motoServer.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port)), home,
                Map.of("HOME", home.toString()));
        Moto m = new Moto(p, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (!p.process.isAlive()) throw new AssertionError("moto_server exited:\n" + p.output());
            try {
                if (m.api("GET", "/moto-api/", null).statusCode() == 200) break;
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                m.close();
                throw new AssertionError("moto_server did not answer within 60 s:\n" + p.output());
            }
            Thread.sleep(100);
        }
        System.out.printf("moto %s server ready on %s in %d ms%n", SecretServers.MOTO_VERSION, m.endpoint,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return m;
    }

    public HttpResponse<String> api(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * IAM enforcement: after {@code freeActions} more calls moto checks every request's signature and the caller's IAM
     * policies ({@code Infinity} turns it off again).
     */
    public void enforceIamAfter(String freeActions) throws IOException, InterruptedException {
        HttpResponse<String> r = api("POST", "/moto-api/reset-auth", freeActions);
        if (r.statusCode() != 200) throw new AssertionError("reset-auth: " + r.statusCode() + " " + r.body());
    }

    public String output() {
        return server.output();
    }

    @Override
    public void close() {
        server.close();
    }
}
