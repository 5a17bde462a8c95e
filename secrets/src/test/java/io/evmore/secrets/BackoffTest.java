package io.evmore.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void theDefaultScheduleIsPinned() {
        assertThat(Backoff.DEFAULT.delays()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
    }

    @Test
    void delaysDoubleUpToTheMax() {
        assertThat(new Backoff(6, Duration.ofSeconds(1), Duration.ofSeconds(5)).delays())
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(new Backoff(1, Duration.ofSeconds(1), Duration.ofSeconds(5)).delays()).isEmpty();
    }

    @Test
    void aSecretValueNeverPrintsItself() {
        SecretValue v = SecretValue.of("  hunter2-secret-value\n");
        assertThat(v.reveal()).isEqualTo("hunter2-secret-value");
        assertThat(v.toString()).isEqualTo("***");
        assertThat(new Fetched(SecretName.DATABASE_PASSWORD, v, "file x").toString()).doesNotContain("hunter2");
        assertThat(v.sameAs(SecretValue.of("hunter2-secret-value"))).isTrue();
        assertThat(v.sameAs(SecretValue.of("hunter3-secret-value"))).isFalse();
        assertThat(SecretName.COSMOS_MNEMONIC.envVar()).isEqualTo("COSMOS_MNEMONIC");
    }
}
