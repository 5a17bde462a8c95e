package io.evmore.app.swap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.devnet.DevnetMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The swapper's local state: one JSON file per swap, {@code <dir>/<hashlock>.json}, owner-only (rw-------, in an
 * rwx------ folder) because it holds the secret — the user's money until the claim. Written before any funds move and
 * after every step, atomically.
 */
public final class SwapStateStore {
    private final Path dir;

    public SwapStateStore(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** ~/.evmore/swaps */
    public static Path defaultDir() {
        return Path.of(System.getProperty("user.home"), ".evmore", "swaps");
    }

    public Path dir() {
        return dir;
    }

    public Path file(String hashlock) {
        return dir.resolve(hashlock + ".json");
    }

    public void save(ObjectNode state) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                try {
                    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                } catch (UnsupportedOperationException e) {
                    // not POSIX
                }
            }
            state.put("updated_at", Instant.now().toString());
            DevnetMain.writeOwnerOnly(file(state.get("hashlock").asText()), state.toPrettyString() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the swap state in " + dir, e);
        }
    }

    /** The stored swap, or a {@link SwapInputException} naming the hashlock and the folder. */
    public ObjectNode load(String hashlock) {
        String h = hashlock == null ? "" : hashlock.toLowerCase(java.util.Locale.ROOT).replaceFirst("^0x", "");
        if (!h.matches("[0-9a-f]{64}")) {
            throw new SwapInputException("HASHLOCK: '" + hashlock + "' is not a hashlock (64 hex digits)");
        }
        Path f = file(h);
        if (!Files.exists(f)) throw new SwapInputException("HASHLOCK: no swap " + h + " in " + dir + " (see --state-dir)");
        try {
            return (ObjectNode) Network.JSON.readTree(Files.readString(f));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }
}
