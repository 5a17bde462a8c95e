package io.evmore.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerAuthTest {
    private final BearerAuth auth = new BearerAuth(() -> "correct-token-value");

    @Test
    void acceptsOnlyTheExactBearerToken() {
        assertThat(auth.allows("Bearer correct-token-value")).isTrue();
        assertThat(auth.allows("bearer correct-token-value")).isTrue();
        assertThat(auth.allows("Bearer correct-token-valuE")).isFalse();
        assertThat(auth.allows("Bearer correct-token-value-and-more")).isFalse();
        assertThat(auth.allows("Basic correct-token-value")).isFalse();
        assertThat(auth.allows("correct-token-value")).isFalse();
        assertThat(auth.allows("Bearer ")).isFalse();
        assertThat(auth.allows(null)).isFalse();
    }

    @Test
    void noConfiguredTokenLetsNobodyIn() {
        BearerAuth none = new BearerAuth(() -> "");
        assertThat(none.allows("Bearer ")).isFalse();
        assertThat(none.allows("Bearer anything")).isFalse();
    }
}
