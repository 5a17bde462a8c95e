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
        requireNodeVersion();
        String source = Files.readString(root.resolve("cosmos/src/test/js").resolve(script));
        Process p = new ProcessBuilder("node", "--input-type=module", "--eval", source)
                .directory(toolsDir.toFile()).redirectErrorStream(false).start();
        // If the test JVM dies mid-run, the node process must not outlive it.
        Thread killer = new Thread(p::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            // Both streams are drained off this thread, so a hung node process cannot block the test past the
            // timeout below (a blocking read of stdout would wait forever).
            StringBuilder errText = new StringBuilder();
            StringBuilder outText = new StringBuilder();
            Thread errReader = drain(p.getErrorStream(), errText);
            Thread outReader = drain(p.getInputStream(), outText);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + script + " did not finish within 120 s; stderr: " + errText);
            }
            errReader.join(10_000);
            outReader.join(10_000);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("node " + script + " failed (" + p.exitValue() + "): " + errText);
            }
            return outText.toString();
        } finally {
            p.destroyForcibly();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    /**
     * cosmjs 0.39 is CommonJS that require()s the ESM-only @noble/* 2.x: that needs Node.js 20.19 or newer
     * (Debian 12's packaged nodejs is 18). Say so instead of failing with ERR_REQUIRE_ESM deep in cosmjs.
     */
    static void requireNodeVersion() throws IOException, InterruptedException {
        Process v = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
        // wait (bounded) before reading: a read of a silent child's stdout would block past any deadline
        boolean done = v.waitFor(30, TimeUnit.SECONDS);
        if (!done) v.destroyForcibly();
        String text = done ? new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim()
                : "(no answer within 30 s)";
        if (!done || v.exitValue() != 0) {
            throw new IllegalStateException("`node --version` failed: " + text);
        }
        var m = java.util.regex.Pattern.compile("v(\\d+)\\.(\\d+)\\..*").matcher(text);
        if (!m.matches()) throw new IllegalStateException("unexpected `node --version` output: " + text);
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major < 20 || (major == 20 && minor < 19)) {
            throw new IllegalStateException("cosmjs 0.39 needs Node.js >= 20.19 (it requires the ESM-only @noble/* 2.x);"
                    + " found " + text + ". Install a newer Node.js (e.g. from NodeSource) and rerun.");
        }
    }

    private static Thread drain(java.io.InputStream in, StringBuilder into) {
        return Thread.ofVirtual().start(() -> {
            try {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                synchronized (into) {
                    into.append(text);
                }
            } catch (IOException ignored) {
                // the exit code tells the story
            }
        });
    }
}
