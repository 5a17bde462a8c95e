package io.evmore.app.cli;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher ({@code ./evmore}) rebuilds the jar when a source is newer than it (README: "builds the project on first
 * use, and again when sources change"). Its {@code stale} function, taken from the script as written, run on a small tree:
 * it once answered "stale" only when the jar was missing, so a pulled change ran on the old jar.
 */
class LauncherStaleTest {
    @TempDir
    Path root;

    @Test
    void aSourceNewerThanTheJarMakesItStaleAndBuiltOutputOrToolsDoNot() throws Exception {
        Path jar = Files.createDirectories(root.resolve("app/target")).resolve("evmore.jar");
        Path source = Files.createDirectories(root.resolve("core/src/main/java/x")).resolve("A.java");
        Path built = Files.createDirectories(root.resolve("core/target/classes")).resolve("B.java");
        Path tool = Files.createDirectories(root.resolve("tools/node/node_modules/p")).resolve("C.java");
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (Path p : new Path[] {source, built, tool, jar}) Files.writeString(p, "x");
        touch(source, t);
        touch(built, t.plusSeconds(100));
        touch(tool, t.plusSeconds(100));
        touch(jar, t.plusSeconds(10));

        assertThat(stale()).as("built output and installed tools newer than the jar are not sources").isFalse();
        touch(source, t.plusSeconds(20));
        assertThat(stale()).as("a source newer than the jar").isTrue();
        Files.delete(jar);
        assertThat(stale()).as("no jar").isTrue();
    }

    private static void touch(Path p, Instant t) throws Exception {
        Files.setLastModifiedTime(p, FileTime.from(t));
    }

    private boolean stale() throws Exception {
        String script = Files.readString(ROOT.resolve("evmore"));
        Matcher m = Pattern.compile("(?ms)^stale\\(\\) \\{\n.*?^}\n").matcher(script);
        assertThat(m.find()).as("the launcher defines stale()").isTrue();
        String program = m.group() + "stale\n";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true);
        pb.environment().put("EVMORE_ROOT", root.toString());
        pb.environment().put("JAR", root.resolve("app/target/evmore.jar").toString());
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).as("stale() prints nothing").isEmpty();
        return p.exitValue() == 0;
    }
}
