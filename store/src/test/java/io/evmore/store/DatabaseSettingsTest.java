package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {

    @Test
    void blankUrlMeansTheEmbeddedDatabaseAtTheDefaultPath() {
        DatabaseSettings s = DatabaseSettings.fromUrl(" ");
        assertThat(s.isSqlite()).isTrue();
        assertThat(s.sqlitePath()).isEqualTo(Path.of("data", "evmore.db"));
        assertThat(s.describe()).isEqualTo("sqlite:data/evmore.db");
        assertThat(DatabaseSettings.defaults()).isEqualTo(DatabaseSettings.fromUrl(null));
    }

    @Test
    void toStringAndDescribeNeverShowThePassword() {
        DatabaseSettings s = DatabaseSettings.fromUrl("postgresql://app:inurl-secret@db:5432/evmore")
                .withPassword("separate-secret");
        assertThat(s.describe()).isEqualTo("postgresql://app@db:5432/evmore");
        assertThat(s.toString()).contains("postgresql://app@db:5432/evmore").contains("password=***")
                .doesNotContain("inurl-secret").doesNotContain("separate-secret");
        assertThat(s.postgresUrl().password()).isEqualTo("separate-secret");
    }

    @Test
    void explicitUserReplacesTheUrlUser() {
        DatabaseSettings s = DatabaseSettings.fromUrl("postgres://app@db/evmore").withUser("ops");
        assertThat(s.describe()).isEqualTo("postgresql://ops@db/evmore");
    }

    @Test
    void malformedUrlIsNotEchoedByToString() {
        DatabaseSettings s = DatabaseSettings.fromUrl("postgresql://app:pa/ss@db/evmore");
        assertThat(s.toString()).doesNotContain("pa/ss").contains("invalid DATABASE_URL");
        assertThatThrownBy(s::postgresUrl).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void poolSizeIsBounded() {
        assertThatThrownBy(() -> DatabaseSettings.defaults().withPoolSize(0)).hasMessageContaining("pool size");
        assertThatThrownBy(() -> DatabaseSettings.defaults().withPoolSize(101)).hasMessageContaining("pool size");
        assertThat(DatabaseSettings.defaults().withPoolSize(3).poolSize()).isEqualTo(3);
    }
}
