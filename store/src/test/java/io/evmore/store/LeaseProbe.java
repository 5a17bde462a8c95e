package io.evmore.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second relayer process for the SQLite lease tests (OS file locks are per process, so only another JVM shows
 * what a second relayer would see). Opens the store exactly as the app does and acquires the lease.
 *
 * <p>{@code try <db file> <name>}: prints {@code RESULT ACQUIRED} (and releases) or {@code RESULT HELD <message>}.
 * {@code lockfirst <db file> <name>}: the same, but taking the lock file before opening the database (what the relayer
 * does).
 * {@code hold <db file> <name>}: prints {@code RESULT HOLDING} and keeps the lease until stdin closes or the process
 * is killed.
 */
public final class LeaseProbe {
    static final String PREFIX = "RESULT ";

    public static void main(String[] args) throws IOException {
        String mode = args[0];
        Path file = Path.of(args[1]);
        String name = args[2];
        if (mode.equals("lockfirst")) {
            // As the relayer does: the lock file first, the database only once the lease is ours.
            try (DatabaseLease lock = SwapStores.lockSqlite(file, name, LeaseHolder.thisProcess());
                    JdbcSwapStore store = SwapStores.open(DatabaseSettings.sqlite(file))) {
                store.startTerm(lock);
                System.out.println(PREFIX + "ACQUIRED");
            } catch (LeaseHeldException e) {
                System.out.println(PREFIX + "HELD " + e.getMessage());
            }
            System.out.flush();
            return;
        }
        try (JdbcSwapStore store = SwapStores.open(DatabaseSettings.sqlite(file));
                DatabaseLease lease = store.acquireLease(name)) {
            if (mode.equals("hold")) {
                System.out.println(PREFIX + "HOLDING");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait for the parent to let go
                }
            } else {
                System.out.println(PREFIX + "ACQUIRED");
            }
        } catch (LeaseHeldException e) {
            System.out.println(PREFIX + "HELD " + e.getMessage());
        }
        System.out.flush();
    }

    static ProcessBuilder command(String mode, Path file, String name) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LeaseProbe.class.getName(), mode, file.toString(), name));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    /** Runs {@code try} in a new JVM and returns "ACQUIRED" or the LeaseHeldException message. */
    static String tryFromAnotherProcess(Path file, String name) throws IOException, InterruptedException {
        return run("try", file, name);
    }

    /** Like {@link #tryFromAnotherProcess} but locking before opening the database, as the relayer does. */
    static String lockFirstFromAnotherProcess(Path file, String name) throws IOException, InterruptedException {
        return run("lockfirst", file, name);
    }

    private static String run(String mode, Path file, String name) throws IOException, InterruptedException {
        Process p = command(mode, file, name).start();
        p.getOutputStream().close();
        String result = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith(PREFIX)) result = line.substring(PREFIX.length());
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("lease probe did not finish:\n" + all);
        }
        if (result == null) throw new IllegalStateException("lease probe gave no result (exit " + p.exitValue() + "):\n" + all);
        return result.startsWith("HELD ") ? result.substring("HELD ".length()) : result;
    }

    /** Starts {@code hold} in a new JVM and returns once it holds the lease. */
    static Process holdInAnotherProcess(Path file, String name) throws IOException {
        Process p = command("hold", file, name).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder all = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            all.append(line).append('\n');
            if (line.equals(PREFIX + "HOLDING")) return p;
            if (line.startsWith(PREFIX)) break;
        }
        p.destroyForcibly();
        throw new IllegalStateException("lease probe did not get the lease:\n" + all);
    }
}
