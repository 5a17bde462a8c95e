package io.evmore.app.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ./evmore admin ACTION: the operator's admin CLI, a thin client of the admin API. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"Call the running relayer's admin API.",
                "Actions: status, pause, resume, pending, config, reload, pools, drain, refresh.",
                "The token comes from --token-file, else ADMIN_TOKEN, else data/admin.token (written by a dev run without ADMIN_TOKEN)."})
final class AdminCommand implements Callable<Integer> {
    private static final Map<String, String[]> ACTIONS = Map.of(
            "status", new String[] {"GET", "/admin/services/status"},
            "pause", new String[] {"POST", "/admin/services/pause"},
            "resume", new String[] {"POST", "/admin/services/resume"},
            "pending", new String[] {"GET", "/admin/swaps/pending"},
            "config", new String[] {"GET", "/admin/config"},
            "reload", new String[] {"POST", "/admin/config/reload"},
            "pools", new String[] {"GET", "/admin/pools/status"},
            "drain", new String[] {"POST", "/admin/pools/drain"},
            "refresh", new String[] {"POST", "/admin/pools/refresh"});

    @Parameters(index = "0", description = "status | pause | resume | pending | config | reload | pools | drain | refresh")
    String action;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:3000", description = "relayer base URL (default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token-file", description = "file holding the admin token")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
        String[] route = ACTIONS.get(action);
        if (route == null) {
            System.err.println("unknown admin action '" + action + "'; expected one of " + String.join(", ", ACTIONS.keySet().stream().sorted().toList()));
            return 2;
        }
        String token = token();
        if (token == null) {
            System.err.println("no admin token: pass --token-file, set ADMIN_TOKEN, or run the relayer once without ADMIN_TOKEN to create data/admin.token");
            return 2;
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url + route[1]))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        req = route[0].equals("POST") ? req.POST(HttpRequest.BodyPublishers.noBody()) : req.GET();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> resp = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
            (resp.statusCode() < 300 ? System.out : System.err).println(resp.body());
            return resp.statusCode() < 300 ? 0 : 1;
        } catch (IOException e) {
            System.err.println("cannot reach the relayer at " + url + ": " + e.getMessage());
            return 1;
        }
    }

    private String token() throws IOException {
        if (tokenFile != null) return Files.readString(tokenFile).trim();
        String env = System.getenv("ADMIN_TOKEN");
        if (env != null && !env.isBlank()) return env.trim();
        Path dflt = Path.of("data", "admin.token");
        return Files.isReadable(dflt) ? Files.readString(dflt).trim() : null;
    }
}
