package io.evmore.secrets.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A server started by a test: output to a file, stopped (and its children) on close and at JVM exit. */
final class ChildProcess implements AutoCloseable {
    final Process process;
    final Path log;

    ChildProcess(List<String> cmd, Path dir, Map<String, String> env) throws IOException {
        this.log = Files.createTempFile(dir, "server", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        this.process = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::kill));
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) kill();
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }
}
