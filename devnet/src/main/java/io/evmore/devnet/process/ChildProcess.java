package io.evmore.devnet.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A long-running child program of the devnet (a Hardhat node, a wasmd node, Hermes) tied to this JVM: started through a
 * small sh wrapper, its output appended to a log file, waited for until it is ready, and stopped together with the
 * processes it started. The one place where the devnet starts and stops such programs.
 *
 * <p>The wrapper ties the program's life to ours: our end of its stdin closes when this JVM dies (even by SIGKILL, when
 * no shutdown hook runs); {@code cat} then returns and the wrapper stops the program it started, by its pid. While it
 * runs, a shutdown hook stops it too. {@link #stop()} closes the wrapper's stdin, waits the grace period, then sends
 * SIGTERM and at last SIGKILL to the wrapper and to the process tree seen under it. Only processes this object started
 * are signalled; nothing is ever killed by name.
 *
 * <p>One object can start its program again after a stop (a node restarted on the same port, Hermes stopped and
 * started); the log file is appended to.
 */
public final class ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    private static final String WRAPPER = "\"$0\" \"$@\" & child=$!; cat >/dev/null; kill $child 2>/dev/null; wait $child";

    private final String name;
    private final List<String> command;
    private final Path logFile;
    private final Path directory;
    private final Map<String, String> environment;
    private final Duration stopGrace;
    private final Thread shutdownHook;
    private volatile Process process;

    private ChildProcess(Builder b) {
        this.name = b.name;
        this.command = List.copyOf(b.command);
        this.logFile = b.logFile;
        this.directory = b.directory;
        this.environment = Map.copyOf(b.environment);
        this.stopGrace = b.stopGrace;
        this.shutdownHook = new Thread(this::stop, name + "-shutdown");
    }

    /**
     * A program named {@code name} in messages, run as {@code command} (the executable first), its stdout and stderr
     * appended to {@code logFile}.
     */
    public static Builder of(String name, List<String> command, Path logFile) {
        return new Builder(name, command, logFile);
    }

    public static final class Builder {
        private final String name;
        private final List<String> command;
        private final Path logFile;
        private Path directory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Duration stopGrace = Duration.ofSeconds(10);

        private Builder(String name, List<String> command, Path logFile) {
            if (command.isEmpty()) throw new IllegalArgumentException("no command for " + name);
            this.name = name;
            this.command = command;
            this.logFile = logFile;
        }

        /** The program's working directory (default: this JVM's). */
        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        /** An environment variable added to this JVM's for the program. */
        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** How long {@link #stop()} waits for the program to stop on its own before signalling it (default 10 s). */
        public Builder stopGrace(Duration grace) {
            this.stopGrace = grace;
            return this;
        }

        public ChildProcess build() {
            return new ChildProcess(this);
        }
    }

    /**
     * Starts the program (a no-op while it runs) and registers the shutdown hook that stops it; returns at once:
     * {@link #awaitReady} waits for it.
     */
    public synchronized void start() {
        if (isAlive()) return;
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", WRAPPER));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        if (directory != null) pb.directory(directory.toFile());
        pb.environment().putAll(environment);
        try {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        } catch (IllegalArgumentException already) {
            // registered by an earlier start
        }
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * Polls {@code ready} (given the time left) every 100 ms until it answers true. An {@link UncheckedIOException}
     * from it means "not yet" (the last one becomes the cause of a time-out); any other exception ends the wait.
     * Throws when the program exits first ("… exited with N at start") or when {@code timeout} passes ("… did not
     * {@code awaited} within N s"), with {@code detail} of that moment appended to the message.
     */
    public void awaitReady(Duration timeout, String awaited, Predicate<Duration> ready,
                           Supplier<String> detail) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null) throw new IllegalStateException(name + " was stopped while starting");
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + " at start" + detail.get());
            }
            try {
                if (ready.test(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())))) return;
            } catch (UncheckedIOException notYet) {
                lastError = notYet;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + name + " was starting", e);
            }
        }
        throw new IllegalStateException(name + " did not " + awaited + " within " + timeout.toSeconds() + " s"
                + detail.get(), lastError);
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The wrapper's pid (the program runs under it). */
    public long pid() {
        return running().pid();
    }

    /** The pid of the process under the wrapper whose executable path ends with {@code /executable}. */
    public long pidOf(String executable) {
        return running().descendants().filter(h -> h.info().command().map(c -> c.endsWith("/" + executable)).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException(executable + " process not found")).pid();
    }

    /** Every process under the wrapper, now. */
    public List<ProcessHandle> descendants() {
        return running().descendants().toList();
    }

    private Process running() {
        Process p = process;
        if (p == null) throw new IllegalStateException(name + " is not running");
        return p;
    }

    /**
     * Stops the program and the processes under it, and unregisters the shutdown hook; a no-op when it is not running.
     * Waits for them to exit (a few seconds past the grace period at the most). True if it was running.
     */
    public synchronized boolean stop() {
        Process p = process;
        if (p == null) return false;
        process = null;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down (this may be the hook itself), or never registered
        }
        List<ProcessHandle> tree = p.descendants().toList(); // the program itself, while the wrapper still lives
        try {
            p.getOutputStream().close(); // the wrapper's cue: it SIGTERMs the program and waits for it
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!p.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                tree.forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    tree.forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
            for (ProcessHandle h : tree) {
                if (!h.isAlive()) continue;
                h.destroy();
                try {
                    h.onExit().get(5, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    h.destroyForcibly();
                    h.onExit().get(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tree.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("{} did not exit after SIGKILL", name);
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ its log

    public Path logFile() {
        return logFile;
    }

    /** The log's length in bytes now (0 when there is none): a mark for {@link #logSince}. */
    public long logLength() {
        try {
            return Files.exists(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** What the program logged after the mark (everything from 0); "" when there is no log. */
    public String logSince(long from) {
        try {
            if (!Files.exists(logFile)) return "";
            byte[] all = Files.readAllBytes(logFile);
            return from >= all.length ? "" : new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The log's last {@code maxChars} characters under a "--- name log tail ---" line, or why there are none. */
    public String logTail(int maxChars) {
        if (!Files.exists(logFile)) return "(no " + name + " log)";
        String s = logSince(0);
        return "--- " + name + " log tail ---\n" + (s.length() > maxChars ? s.substring(s.length() - maxChars) : s);
    }

    /**
     * Sleeps between two looks at a child process or the node it runs (the launchers' polling loops); an interrupt ends
     * the wait with an IllegalStateException and keeps the thread's interrupt flag.
     */
    public static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[" + name + (isAlive() ? " running" : " stopped") + "]";
    }
}
