package io.evmore.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * sqlite-jdbc's native library, extracted once into the user's cache instead of on every start (docs/BENCHMARKS.md
 * "Start-up"): by default sqlite-jdbc copies it out of the jar into the temporary folder on each start, comparing the
 * bytes with an earlier copy and sweeping old copies (~50 ms of a start). Here it is extracted into
 * {@code ${XDG_CACHE_HOME:-~/.cache}/evmore/sqlite-jdbc-<version>/<os>/<arch>/} (owner-only, written to a temporary
 * name and moved into place, so a file there is whole) and sqlite-jdbc is pointed at it with {@code org.sqlite.lib.path}
 * and {@code org.sqlite.lib.name}. Where that is not possible (no home, a read-only file system as in a container) nothing
 * is set and sqlite-jdbc does what it always did; if the cached file does not load, sqlite-jdbc also falls back to
 * extracting its own copy. An operator's own {@code org.sqlite.lib.path} is left alone.
 */
final class SqliteNativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteNativeLibrary.class);
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";
    private static volatile boolean done;

    private SqliteNativeLibrary() {}

    /** Before the first SQLite connection of this JVM: points sqlite-jdbc at the cached library (extracting it if needed). */
    static synchronized void useCached() {
        if (done) return;
        done = true;
        if (System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null) return;
        Path root = cacheRoot(System.getenv());
        if (root == null) return;
        try {
            Path file = extract(root);
            System.setProperty(PATH_PROPERTY, file.getParent().toString());
            System.setProperty(NAME_PROPERTY, file.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            LOG.debug("store: sqlite-jdbc's native library not cached ({}); sqlite-jdbc extracts it itself", e.toString());
        }
    }

    /** {@code $XDG_CACHE_HOME/evmore}, else {@code ~/.cache/evmore}; null without either. */
    static Path cacheRoot(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "evmore");
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() || home.equals("?") ? null : Path.of(home, ".cache", "evmore");
    }

    /** The library in the cache under {@code root}, extracted from sqlite-jdbc's jar when missing. */
    static Path extract(Path root) throws IOException {
        String resourceDir = LibraryLoaderUtil.getNativeLibResourcePath(); // e.g. /org/sqlite/native/Linux/x86_64
        String name = LibraryLoaderUtil.getNativeLibName();
        String version = SQLiteJDBCLoader.getVersion();
        if (version == null || !version.matches("[0-9][0-9A-Za-z.+-]*")) throw new IOException("no sqlite-jdbc version (" + version + ")");
        java.net.URL resource = SQLiteJDBCLoader.class.getResource(resourceDir + "/" + name);
        if (resource == null) throw new IOException("no " + resourceDir + "/" + name + " in sqlite-jdbc");
        long size = resource.openConnection().getContentLengthLong(); // the jar entry's size: no inflating
        Path dir = root.resolve("sqlite-jdbc-" + version).resolve(resourceDir.replaceFirst("^/org/sqlite/native/", ""));
        Path file = dir.resolve(name);
        // whole (moved into place) and the same size as the jar's: the same library (the folder is keyed by the version)
        if (Files.isRegularFile(file) && size > 0 && Files.size(file) == size) return file;
        ownerOnlyDirectories(dir);
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        try {
            try (InputStream in = resource.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    private static void ownerOnlyDirectories(Path dir) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir);
            return;
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
}
