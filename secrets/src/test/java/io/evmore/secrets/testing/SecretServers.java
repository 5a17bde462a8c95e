package io.evmore.secrets.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where scripts/secrets-servers.sh installed the real servers: {@code ${EVMORE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/evmore}}.
 * A missing tool fails the test (never skips it) with a message naming the script.
 */
public final class SecretServers {
    public static final String OPENBAO_VERSION = "2.7.2";
    public static final String MOTO_VERSION = "5.2.6";
    public static final String SETUP = "scripts/secrets-servers.sh (./evmore test runs it)";

    private SecretServers() {}

    static Path cache() {
        String explicit = System.getenv("EVMORE_CACHE");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("evmore");
    }

    /** The {@code bao} binary (EVMORE_BAO overrides). */
    public static Path bao() {
        return tool("EVMORE_BAO", cache().resolve("openbao-" + OPENBAO_VERSION).resolve("venv/bin/bao"), "OpenBao " + OPENBAO_VERSION);
    }

    /** The {@code moto_server} launcher (EVMORE_MOTO_SERVER overrides). */
    public static Path motoServer() {
        return tool("EVMORE_MOTO_SERVER", cache().resolve("moto-" + MOTO_VERSION).resolve("venv/bin/moto_server"), "moto " + MOTO_VERSION);
    }

    private static Path tool(String env, Path cached, String what) {
        String o = System.getenv(env);
        Path p = o != null && !o.isBlank() ? Path.of(o) : cached;
        if (!Files.isExecutable(p)) {
            throw new AssertionError(what + " is not installed at " + p + ": run " + SETUP);
        }
        return p;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
