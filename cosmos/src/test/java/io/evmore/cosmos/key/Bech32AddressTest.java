package io.evmore.cosmos.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class Bech32AddressTest {
    static final String HUB = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
    static final String CONTRACT = "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr";

    @Test
    void roundTripsAccountsAndContracts() {
        Bech32Address a = Bech32Address.parse(HUB);
        assertThat(a.prefix()).isEqualTo("cosmos");
        assertThat(a.hex()).startsWith("28ff5c6d").endsWith("8e01fd");
        assertThat(Bech32Address.of("cosmos", a.bytes()).toString()).isEqualTo(HUB);
        Bech32Address c = Bech32Address.parse(CONTRACT);
        assertThat(c.bytes()).hasSize(32);
        assertThat(c.toString()).hasSize("cosmos".length() + 59);
        assertThat(a.withPrefix("osmo").withPrefix("cosmos")).isEqualTo(a);
    }

    @Test
    void rejectsBadInputNamingIt() {
        String badChecksum = HUB.substring(0, HUB.length() - 1) + (HUB.endsWith("4") ? "5" : "4");
        assertThatThrownBy(() -> Bech32Address.parse(badChecksum)).hasMessageContaining(badChecksum);
        assertThatThrownBy(() -> Bech32Address.parse(HUB, "osmo")).hasMessageContaining("expected 'osmo'");
        assertThatThrownBy(() -> Bech32Address.parse("")).hasMessageContaining("missing");
        assertThatThrownBy(() -> Bech32Address.parse("cosmos1qqqqqqqqqqqqqqqqqqqqh3cd5c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bech32Address.of("cosmos", new byte[19])).hasMessageContaining("19");
        assertThat(Bech32Address.isValid(HUB, "cosmos")).isTrue();
        assertThat(Bech32Address.isValid("0xabc", "cosmos")).isFalse();
    }
}
