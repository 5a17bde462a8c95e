package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sqlite-jdbc's native library is loaded from the user's cache (extracted there once) rather than extracted into the
 * temporary folder on every start, and opening the store still works where the cache cannot be written. Each case runs
 * a fresh JVM (the library loads once per JVM) that opens a store and reports which file the library was mapped from.
 */
class SqliteNativeLibraryTest {
    @TempDir
    Path dir;

    /** Run in a child JVM: opens a SQLite store at args[0], prints the loaded sqlite-jdbc library's file(s). */
    public static void main(String[] args) throws Exception {
        try (JdbcSwapStore store = SwapStores.open(DatabaseSettings.sqlite(Path.of(args[0])))) {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.contains("sqlitejdbc")) System.out.println("LOADED " + line.substring(line.indexOf('/')));
            }
        }
    }

    private List<String> openInFreshJvm(String xdgCacheHome, Path tmp) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), SqliteNativeLibraryTest.class.getName(),
                dir.resolve("db-" + System.nanoTime() + "/evmore.db").toString()).redirectErrorStream(true);
        pb.environment().put("XDG_CACHE_HOME", xdgCacheHome);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().filter(l -> l.startsWith("LOADED ")).map(l -> l.substring(7)).distinct().toList();
    }

    @Test
    void theLibraryIsExtractedOnceIntoTheCacheAndLoadedFromThere() throws Exception {
        Path cache = dir.resolve("cache");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));

        List<String> first = openInFreshJvm(cache.toString(), tmp);
        assertThat(first).singleElement().satisfies(f -> assertThat(f).startsWith(cache.resolve("evmore/sqlite-jdbc-").toString()));
        Path lib = Path.of(first.getFirst());
        assertThat(Files.getPosixFilePermissions(lib.getParent()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE, OWNER_EXECUTE]");
        long modified = Files.getLastModifiedTime(lib).toMillis();
        try (var s = Files.list(tmp)) {
            assertThat(s.filter(f -> f.getFileName().toString().contains("sqlite"))).as("nothing extracted into the temporary folder").isEmpty();
        }

        Thread.sleep(1_100);
        List<String> second = openInFreshJvm(cache.toString(), tmp);
        assertThat(second).containsExactly(lib.toString());
        assertThat(Files.getLastModifiedTime(lib).toMillis()).as("not extracted again").isEqualTo(modified);

        Files.writeString(lib, "truncated"); // not the jar's library (another size): extracted again
        assertThat(openInFreshJvm(cache.toString(), tmp)).containsExactly(lib.toString());
        assertThat(Files.size(lib)).isGreaterThan(100_000);
    }

    @Test
    void whereTheCacheCannotBeWrittenSqliteJdbcExtractsItsOwnCopyAsBefore() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("read-only"), "a file: no folder can be made under it");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> loaded = openInFreshJvm(notADirectory.toString(), tmp);
        assertThat(loaded).singleElement().satisfies(f -> assertThat(f).startsWith(tmp.toString()));
    }
}
