package io.evmore.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The configuration in force, swapped atomically on reload. Reload validates the whole file first; on any
 * problem nothing changes. Keys that need a restart are reported and left as they are.
 */
public final class LiveConfig {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final Function<Path, RelayerConfig> loader;
    private final List<Consumer<RelayerConfig>> listeners = new CopyOnWriteArrayList<>();
    private volatile RelayerConfig current;

    public LiveConfig(Path file, RelayerConfig initial, Function<Path, RelayerConfig> loader) {
        this.file = file;
        this.current = initial;
        this.loader = loader;
    }

    public RelayerConfig get() {
        return current;
    }

    public Path file() {
        return file;
    }

    /** Replaces the configuration in force at start, before any listener runs (local chains fill in {@code chains}). */
    public synchronized void initialise(RelayerConfig effective) {
        current = effective;
    }

    /** Called with the new configuration after each applied reload. Listeners must not throw. */
    public void onChange(Consumer<RelayerConfig> listener) {
        listeners.add(listener);
    }

    public record ReloadResult(String file, List<ConfigDiff.Change> changed, List<String> applied, List<String> restartRequired) {}

    /**
     * @throws ConfigException if the file is missing or invalid; the configuration in force is unchanged
     */
    public synchronized ReloadResult reload() {
        RelayerConfig candidate = loader.apply(file);
        RelayerConfig before = current;
        ConfigDiff diff = ConfigDiff.between(before, candidate);
        List<String> applied = diff.reloadable();
        if (!applied.isEmpty()) {
            RelayerConfig next = overlay(before, candidate, applied);
            current = next;
            for (Consumer<RelayerConfig> l : listeners) {
                l.accept(next);
            }
        }
        return new ReloadResult(file.toString(), diff.changes(), applied, diff.restartRequired());
    }

    /** {@code base} with only the given dotted keys taken from {@code from}. */
    private static RelayerConfig overlay(RelayerConfig base, RelayerConfig from, List<String> keys) {
        ObjectNode target = JSON.valueToTree(base);
        JsonNode source = JSON.valueToTree(from);
        for (String key : keys) {
            String[] parts = key.split("\\.");
            ObjectNode t = target;
            JsonNode s = source;
            for (int i = 0; i < parts.length - 1; i++) {
                t = (ObjectNode) t.get(parts[i]);
                s = s.get(parts[i]);
            }
            t.set(parts[parts.length - 1], s.get(parts[parts.length - 1]));
        }
        try {
            return JSON.treeToValue(target, RelayerConfig.class);
        } catch (Exception e) {
            throw new IllegalStateException("cannot merge reloaded keys " + keys, e);
        }
    }
}
