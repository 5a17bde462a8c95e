package io.evmore.app.bench;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.evmore.app.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relayer's JVM options (docs/BENCHMARKS.md "The 10,000-in-flight soak"; README "JVM options") are one set wherever
 * it runs: {@code ./evmore run} (the launcher's {@code relayer_jvm_opts}), the container (the Dockerfile's ENTRYPOINT
 * and JAVA_TOOL_OPTIONS) and the bench's relayer ({@link RelayerProcess}, told them by the launcher, or its own copy).
 * The launcher's functions are taken from the script as written and run by bash; the options are given to a real JVM.
 */
class RelayerJvmOptionsTest {
    @TempDir
    static Path dir;

    private static List<String> bash(Map<String, String> env, String call) throws Exception {
        String script = Files.readString(ROOT.resolve("evmore"));
        StringBuilder program = new StringBuilder("set -euo pipefail\n");
        for (String fn : List.of("relayer_jvm_opts", "command_jvm_opts", "jvm_cache_file", "bench_relayer_cache")) {
            Matcher m = Pattern.compile("(?ms)^" + fn + "\\(\\) \\{\n.*?^}\n").matcher(script);
            assertThat(m.find()).as("the launcher defines %s()", fn).isTrue();
            program.append(m.group());
        }
        program.append(call).append('\n');
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", program.toString()).redirectErrorStream(true);
        for (String k : List.of("EVMORE_JAVA_OPTS", "EVMORE_HEAP_MAX", "EVMORE_JVM_CACHE", "JAVA_TOOL_OPTIONS")) pb.environment().remove(k);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path jar = dir.resolve("evmore.jar");
        if (!Files.exists(jar)) Files.writeString(jar, "not really a jar");
        pb.environment().put("JAR", jar.toString());
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    @Test
    void runGetsTheRelayersOptionsWithEvmoreHeapMaxAndJavaOptsOverridingEveryOtherCommandKeepsItsHeap() throws Exception {
        List<String> run = bash(Map.of(), "command_jvm_opts run");
        assertThat(run).containsExactly("--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=60000",
                "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=128m");
        assertThat(bash(Map.of("EVMORE_HEAP_MAX", "1g"), "command_jvm_opts run")).contains("-Xmx1g").doesNotContain("-Xmx256m");
        assertThat(bash(Map.of("EVMORE_JAVA_OPTS", "-Xmx2g -XX:+UseZGC"), "command_jvm_opts run"))
                .as("EVMORE_JAVA_OPTS last: an -Xmx there wins").endsWith("-Xmx2g", "-XX:+UseZGC").startsWith(run.toArray(String[]::new));
        assertThat(bash(Map.of(), "command_jvm_opts bench")).as("the bench's own JVM, with its thousands of users")
                .containsExactly("--enable-native-access=ALL-UNNAMED", "-Xmx768m");
        assertThat(bash(Map.of("EVMORE_HEAP_MAX", "3g"), "command_jvm_opts devnet")).containsExactly("--enable-native-access=ALL-UNNAMED", "-Xmx3g");
    }

    @Test
    void theBenchsRelayerStartsWithRunsOptionsWhateverTheBenchsOwnJvmHas() throws Exception {
        List<String> run = bash(Map.of(), "relayer_jvm_opts");
        assertThat(RelayerProcess.RUN_JVM_OPTIONS).as("RelayerProcess's copy, for a bench not started by the launcher").isEqualTo(run);
        assertThat(RelayerProcess.jvmOptions(Map.of(), "256m")).isEqualTo(run);

        List<String> env = bash(Map.of("EVMORE_HEAP_MAX", "3g", "EVMORE_JAVA_OPTS", "-XX:+UseParallelGC"),
                "bench_relayer_cache; echo \"$EVMORE_RELAYER_JVM_OPTS\"");
        Map<String, String> told = Map.of("EVMORE_RELAYER_JVM_OPTS", env.getLast());
        assertThat(RelayerProcess.jvmOptions(told, "256m")).isEqualTo(run);
        List<String> other = new ArrayList<>(run);
        other.set(other.indexOf("-Xmx256m"), "-Xmx512m");
        assertThat(RelayerProcess.jvmOptions(told, "512m")).as("--relayer-heap 512m").isEqualTo(other);
        assertThat(RelayerProcess.jvmOptions(Map.of("EVMORE_RELAYER_JVM_OPTS", "-Xmx1g -XX:+UseZGC"), "1g")).containsExactly("-Xmx1g", "-XX:+UseZGC");
    }

    @Test
    void theContainerRunsTheSameOptionsWithTheHeapWhereAnOperatorsJavaToolOptionsCanRaiseIt() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(dockerfile);
        assertThat(entry.find()).isTrue();
        List<String> args = Arrays.stream(entry.group(1).split(",")).map(a -> a.strip().replaceAll("^\"|\"$", "")).toList();
        assertThat(args.getFirst()).isEqualTo("java");
        List<String> jvm = args.subList(1, args.indexOf("-jar"));
        assertThat(jvm).as("no heap ceiling on the command line: it would win over JAVA_TOOL_OPTIONS").noneMatch(a -> a.startsWith("-Xmx"));
        Matcher tool = Pattern.compile("(?m)^\\s+JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(dockerfile);
        assertThat(tool.find()).isTrue();
        List<String> all = new ArrayList<>(jvm);
        Arrays.stream(tool.group(1).split("\\s+")).filter(a -> a.startsWith("-Xmx")).forEach(all::add);
        assertThat(all).containsExactlyInAnyOrderElementsOf(bash(Map.of(), "relayer_jvm_opts"));
    }

    @Test
    void aJvmTakesTheOptionsAndTheHeapWarningComesBelowTheCeiling() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(bash(Map.of(), "relayer_jvm_opts"));
        cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        long maxHeap = flag(out, "MaxHeapSize");
        assertThat(maxHeap).isEqualTo(256L << 20);
        assertThat(flag(out, "UseG1GC")).isEqualTo(1);
        assertThat(flag(out, "G1PeriodicGCInterval")).isEqualTo(60_000);
        assertThat(flag(out, "MaxMetaspaceSize")).isEqualTo(128L << 20);
        assertThat(flag(out, "ReservedCodeCacheSize")).isEqualTo(128L << 20);
        // the default heap.warnThresholdMb, as the watch applies it, must be reachable under the default ceiling, or the
        // warning never comes
        int warnMb;
        try (var in = ConfigLoader.class.getResourceAsStream("/config-defaults.yaml")) {
            warnMb = new ObjectMapper(new YAMLFactory()).readTree(in).path("heap").path("warnThresholdMb").asInt();
        }
        assertThat(io.evmore.app.ops.HeapWatch.effectiveThresholdBytes(warnMb, maxHeap)).isLessThan(maxHeap)
                .isGreaterThanOrEqualTo(maxHeap * 8 / 10);
    }

    private static long flag(String printFlagsFinal, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+= (\\S+)").matcher(printFlagsFinal);
        assertThat(m.find()).as(name).isTrue();
        String v = m.group(1);
        return v.equals("true") ? 1 : v.equals("false") ? 0 : Long.parseLong(v);
    }
}
