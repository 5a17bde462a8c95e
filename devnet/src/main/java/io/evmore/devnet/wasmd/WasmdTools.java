package io.evmore.devnet.wasmd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the real-chain tools are: the {@code wasmd} binary, the directory holding the {@code libwasmvm} it loads, and
 * the contract's wasm, as written by {@code scripts/wasmd.sh} to {@code tools/wasmd/env}. Overridable with the system
 * properties {@code wasmd.bin}, {@code wasmd.lib}, {@code wasmd.wasm}.
 *
 * <p>Nothing here skips: a missing tool is an {@link IllegalStateException} telling to run the setup script, so a
 * test on the real chain fails rather than silently passing without one. The wasm must be the one the project ships:
 * its sha256 must equal the {@code wasm sha256} line of {@code contracts/cosmwasm/README.md}.
 */
public record WasmdTools(Path root, Path wasmd, Path libDir, Path wasm, String wasmSha256) {
    static final String SETUP_HINT = "run scripts/wasmd.sh (or ./evmore wasmd-setup) first: it installs the wasm toolchain"
            + " and builds wasmd (plain and with packet-forward and IBC hooks), Hermes and the contract's wasm, cached"
            + " outside the checkout, and points tools/wasmd/env at them";
    private static final Pattern README_SHA = Pattern.compile("wasm sha256: `([0-9a-f]{64})`");

    /** Finds and checks the tools; throws with {@link #SETUP_HINT} when anything is missing or stale. */
    public static WasmdTools locate() {
        return locate(false);
    }

    /**
     * As {@link #locate()}, but {@link #wasmd()} is the PATCHED wasmd (packet-forward middleware and IBC hooks wired
     * into its transfer stack by {@code scripts/wasmd-ibc.sh}); system properties {@code wasmd.ibc.bin},
     * {@code wasmd.ibc.lib} override.
     */
    public static WasmdTools locateIbc() {
        return locate(true);
    }

    /** Hermes (the IBC relayer) built by {@code scripts/wasmd-ibc.sh}; system property {@code hermes.bin} overrides. */
    public static Path hermes() {
        Path root = findRoot();
        Path envFile = root.resolve("tools/wasmd/env");
        Path bin = pathOf("hermes.bin", readEnv(envFile).get("HERMES_BIN"), envFile);
        if (!Files.isExecutable(bin)) throw new IllegalStateException("hermes binary " + bin + " is missing: " + SETUP_HINT);
        return bin;
    }

    private static Map<String, String> readEnv(Path envFile) {
        Map<String, String> env = new LinkedHashMap<>();
        if (Files.isRegularFile(envFile)) {
            try {
                for (String line : Files.readAllLines(envFile)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + envFile, e);
            }
        }
        return env;
    }

    private static WasmdTools locate(boolean ibc) {
        Path root = findRoot();
        Path envFile = root.resolve("tools/wasmd/env");
        Map<String, String> env = readEnv(envFile);
        Path bin = ibc ? pathOf("wasmd.ibc.bin", env.get("WASMD_IBC_BIN"), envFile) : pathOf("wasmd.bin", env.get("WASMD_BIN"), envFile);
        Path lib = ibc ? pathOf("wasmd.ibc.lib", env.get("WASMD_IBC_LIB"), envFile) : pathOf("wasmd.lib", env.get("WASMD_LIB"), envFile);
        Path wasm = pathOf("wasmd.wasm", env.get("WASMD_WASM"), envFile);
        if (!Files.isExecutable(bin)) throw new IllegalStateException("wasmd binary " + bin + " is missing: " + SETUP_HINT);
        if (!Files.isRegularFile(lib.resolve("libwasmvm.x86_64.so"))) {
            throw new IllegalStateException("libwasmvm.x86_64.so is missing in " + lib + ": " + SETUP_HINT);
        }
        if (!Files.isRegularFile(wasm)) throw new IllegalStateException("contract wasm " + wasm + " is missing: " + SETUP_HINT);
        String actual = sha256(wasm);
        String expected = readmeSha(root);
        if (!actual.equals(expected)) {
            throw new IllegalStateException("contract wasm " + wasm + " has sha256 " + actual + " but contracts/cosmwasm/README.md"
                    + " records " + expected + " (stale build?): " + SETUP_HINT);
        }
        return new WasmdTools(root, bin, lib, wasm, actual);
    }

    private static Path pathOf(String property, String fromEnvFile, Path envFile) {
        String v = System.getProperty(property, fromEnvFile);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(envFile + " does not name " + property + " (wasmd not set up): " + SETUP_HINT);
        }
        return Path.of(v);
    }

    static String readmeSha(Path root) {
        Path readme = root.resolve("contracts/cosmwasm/README.md");
        try {
            Matcher m = README_SHA.matcher(Files.readString(readme));
            if (!m.find()) throw new IllegalStateException(readme + " has no 'wasm sha256: `…`' line");
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + readme, e);
        }
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The project root: {@code -Devmore.root}, env {@code EVMORE_ROOT}, or the nearest parent with scripts/wasmd.sh. */
    static Path findRoot() {
        String prop = System.getProperty("evmore.root", System.getenv("EVMORE_ROOT"));
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath();
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("scripts/wasmd.sh"))) return p;
            p = p.getParent();
        }
        throw new IllegalStateException("cannot find the project root (a folder with scripts/wasmd.sh) above "
                + System.getProperty("user.dir") + "; set -Devmore.root");
    }
}
