package io.evmore.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveConfigTest {
    @TempDir
    Path dir;

    private LiveConfig live(String yaml) throws Exception {
        Path f = dir.resolve("relayer.yaml");
        Files.writeString(f, yaml);
        return new LiveConfig(f, ConfigLoader.load(f, Map.of()), p -> ConfigLoader.load(p, Map.of()));
    }

    @Test
    void invalidFileChangesNothing() throws Exception {
        LiveConfig live = live("logLevel: info\nhttp: {port: 3001}\n");
        RelayerConfig before = live.get();
        List<RelayerConfig> seen = new ArrayList<>();
        live.onChange(seen::add);
        Files.writeString(live.file(), "logLevel: debug\nhttp: {port: 99999}\n");
        assertThatThrownBy(live::reload).isInstanceOf(ConfigException.class).hasMessageStartingWith("http.port:");
        assertThat(live.get()).isSameAs(before);
        assertThat(seen).isEmpty();
    }

    @Test
    void reloadableKeysApplyAndOthersWaitForRestart() throws Exception {
        LiveConfig live = live("logLevel: info\nhttp: {port: 3001}\n");
        List<RelayerConfig> seen = new ArrayList<>();
        live.onChange(seen::add);
        Files.writeString(live.file(), "logLevel: debug\nhttp: {port: 3002}\nheap: {warnThresholdMb: 800}\n");
        LiveConfig.ReloadResult r = live.reload();
        assertThat(r.applied()).containsExactly("heap.warnThresholdMb", "logLevel");
        assertThat(r.restartRequired()).containsExactly("http.port");
        assertThat(live.get().logLevel()).isEqualTo("debug");
        assertThat(live.get().heap().warnThresholdMb()).isEqualTo(800);
        assertThat(live.get().http().port()).isEqualTo(3001);
        assertThat(seen).hasSize(1);
    }

    @Test
    void unchangedFileAppliesNothing() throws Exception {
        LiveConfig live = live("logLevel: info\n");
        RelayerConfig before = live.get();
        LiveConfig.ReloadResult r = live.reload();
        assertThat(r.changed()).isEmpty();
        assertThat(live.get()).isSameAs(before);
    }
}
