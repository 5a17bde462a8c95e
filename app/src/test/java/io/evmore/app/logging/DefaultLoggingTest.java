package io.evmore.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Logging before {@link LoggingSetup} (and in the CLI's other commands) comes from {@link DefaultLogging}, logback's
 * configurator service, without logback's XML configuration (docs/BENCHMARKS.md "Start-up"): fresh JVMs log through
 * SLF4J and record which classes they load.
 */
class DefaultLoggingTest {
    @TempDir
    Path dir;

    /** A fresh JVM's first log lines. */
    public static void main(String[] args) {
        LoggerFactory.getLogger("io.evmore.x").info("info line");
        LoggerFactory.getLogger("io.evmore.x").debug("debug line");
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").info("jetty info line");
        LoggerFactory.getLogger("org.flywaydb.core.Flyway").warn("flyway warn line");
        LoggerFactory.getLogger("com.zaxxer.hikari.X").info("hikari info line");
    }

    private record Run(String out, List<String> loaded) {}

    private Run run(String... jvmOptions) throws Exception {
        Path classes = dir.resolve("classes.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + classes));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DefaultLoggingTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return new Run(out, Files.readAllLines(classes));
    }

    @Test
    void theFirstLinesAreConfiguredInCodeWithoutLogbacksXmlConfiguration() throws Exception {
        Run r = run();
        assertThat(r.out().lines().toList()).satisfiesExactly(
                l -> assertThat(l).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  io\\.evmore\\.x - info line"),
                l -> assertThat(l).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  org\\.flywaydb\\.core\\.Flyway - flyway warn line"));
        assertThat(r.loaded()).as("logback's XML configuration (Joran: its configurators, SAX events, model) is not loaded")
                .noneMatch(l -> l.contains("] ch.qos.logback.classic.joran.") || l.contains("] ch.qos.logback.classic.util.DefaultJoranConfigurator")
                        || l.contains("] ch.qos.logback.core.joran.event.") || l.contains("] ch.qos.logback.core.model."))
                .anyMatch(l -> l.contains(DefaultLogging.class.getName()));
    }

    @Test
    void anOperatorsLogbackConfigurationFileIsStillRead() throws Exception {
        Path xml = Files.writeString(dir.resolve("mine.xml"), """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>MINE %level %msg%n</pattern></encoder></appender>
                  <root level="DEBUG"><appender-ref ref="out"/></root>
                </configuration>
                """);
        Run r = run("-Dlogback.configurationFile=" + xml);
        assertThat(r.out()).contains("MINE INFO info line", "MINE DEBUG debug line", "MINE INFO jetty info line", "MINE WARN flyway warn line");
    }
}
