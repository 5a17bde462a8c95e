package io.evmore.store;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Who holds (or asks for) a lease: one relayer process. {@code id} is random per process, so two processes never share
 * it even with the same host and pid (containers); host, pid and start time are what an operator needs to find it.
 */
public record LeaseHolder(String id, String host, long pid, Instant processStarted) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final LeaseHolder THIS_PROCESS = create();

    public LeaseHolder {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(processStarted, "processStarted");
        if (id.isBlank() || id.length() > 64) throw new IllegalArgumentException("holder id must be 1-64 characters");
        if (host.length() > 255) host = host.substring(0, 255);
    }

    /** This JVM: one identity for its whole life (every lease it takes names the same process). */
    public static LeaseHolder thisProcess() {
        return THIS_PROCESS;
    }

    /** A fresh identity with this process's host, pid and start: for tests that play several processes. */
    public static LeaseHolder another() {
        return new LeaseHolder(randomId(), THIS_PROCESS.host, THIS_PROCESS.pid, Instant.now());
    }

    private static LeaseHolder create() {
        long started = ManagementFactory.getRuntimeMXBean().getStartTime();
        return new LeaseHolder(randomId(), hostName(), ProcessHandle.current().pid(), Instant.ofEpochMilli(started));
    }

    private static String randomId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** HOSTNAME (containers set it) or the local host name, without waiting on a slow resolver for long. */
    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) return env.strip();
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-host";
        }
    }

    /** {@code host/pid}. */
    public String describe() {
        return host + "/" + pid;
    }
}
