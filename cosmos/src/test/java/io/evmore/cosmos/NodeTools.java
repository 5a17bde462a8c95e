package io.evmore.cosmos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a script of this module's src/test/js with the project's pinned npm tools (tools/node). */
public final class NodeTools {
    private NodeTools() {}

    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("tools/node"))) {
            p = p.getParent();
        }
        if (p == null) throw new IllegalStateException("tools/node not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    /**
     * Runs {@code script} as an ES module evaluated from tools/node (so its bare imports resolve against the
     * pinned node_modules there) with {@code stdin} as input; returns stdout. Fails with stderr on a non-zero exit.
     */
    public static String runScript(String script, String stdin) throws IOException, InterruptedException {
        Path root = repoRoot();
        Path toolsDir = root.resolve("tools/node");
        if (!Files.isDirectory(toolsDir.resolve("node_modules/@cosmjs/proto-signing"))) {
            throw new IllegalStateException("cosmjs is not installed: run `cd tools/node && npm ci`");
        }
        String source = Files.readString(root.resolve("cosmos/src/test/js").resolve(script));
        Process p = new ProcessBuilder("node", "--input-type=module", "--eval", source)
                .directory(toolsDir.toFile()).redirectErrorStream(false).start();
        // If the test JVM dies mid-run, the node process must not outlive it.
        Thread killer = new Thread(p::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            var err = p.getErrorStream();
            var out = p.getInputStream();
            var errText = new StringBuilder();
            Thread errReader = Thread.ofVirtual().start(() -> {
                try {
                    errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the exit code tells the story
                }
            });
            String result = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + script + " timed out");
            }
            errReader.join();
            if (p.exitValue() != 0) {
                throw new IllegalStateException("node " + script + " failed (" + p.exitValue() + "): " + errText);
            }
            return result;
        } finally {
            p.destroyForcibly();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }
}
