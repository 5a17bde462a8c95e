package io.evmore.app.monitoring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The monitoring tools scripts/observability-tools.sh installs (Prometheus, promtool, Alertmanager, amtool, obscheck), as
 * its {@code tools/observability/env} names them. A missing tool fails the test naming the script; never a skip.
 */
public final class ObservabilityTools {
    public static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static Map<String, String> env;

    private ObservabilityTools() {}

    public static synchronized Path tool(String name) {
        if (env == null) {
            Path file = ROOT.resolve("tools/observability/env");
            if (!Files.isRegularFile(file)) {
                throw new AssertionError(file + " is missing: run scripts/observability-tools.sh (./evmore test does) to install"
                        + " Prometheus, promtool, Alertmanager and obscheck");
            }
            Map<String, String> m = new LinkedHashMap<>();
            try {
                for (String line : Files.readAllLines(file)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            } catch (IOException e) {
                throw new AssertionError("cannot read " + file, e);
            }
            env = m;
        }
        String p = env.get(name);
        if (p == null || !Files.isExecutable(Path.of(p))) {
            throw new AssertionError(name + " (" + p + ") is not installed: run scripts/observability-tools.sh");
        }
        return Path.of(p);
    }

    /** The output and exit code of a finished command. */
    public record Result(int exit, String output) {}

    /** Runs {@code tool args…} in {@code dir}, bounded by {@code seconds}; output and error together. */
    public static Result run(Path dir, long seconds, String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool(tool).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("obs-tool", ".out");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in " + seconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
