package io.evmore.devnet.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Bech32AddressesTest {
    /** From STACK.md: the "abandon ×11 about" account on the cosmos prefix. */
    private static final String KNOWN_ACCOUNT = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";

    @Test
    void acceptsAKnownAccountAddress() {
        assertThat(Bech32Addresses.isValid(KNOWN_ACCOUNT, "cosmos")).isTrue();
        assertThat(Bech32Addresses.isValid(KNOWN_ACCOUNT, "osmo")).isFalse();
    }

    /** COSMOS_WIRE §9: the classic address of code 1 instance 1 is a fixed, published string. */
    @Test
    void encodesTheWasmdContractAddressOfCode1Instance1() throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] typeHash = sha.digest("module".getBytes(StandardCharsets.US_ASCII));
        sha.update(typeHash);
        sha.update("wasm".getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(16).putLong(1).putLong(1).array());
        String address = Bech32Addresses.encode("cosmos", sha.digest());
        assertThat(address).isEqualTo("cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr");
        assertThat(Bech32Addresses.isValid(address, "cosmos")).isTrue();
    }

    @Test
    void namesGiveDistinctValidAddresses() {
        String alice = Bech32Addresses.forName("cosmos", "alice");
        assertThat(alice).isNotEqualTo(Bech32Addresses.forName("cosmos", "bob")).startsWith("cosmos1").hasSize(45);
        assertThat(Bech32Addresses.isValid(alice, "cosmos")).isTrue();
        assertThat(Bech32Addresses.isValid(Bech32Addresses.contractForLabel("cosmos", "x"), "cosmos")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "cosmos", "cosmos1", "not-an-address", "cosmos1invalid",
        "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal5", // checksum
        "COSMOS19RL4CM2HMR8AFY4KLDPXZ3FKA4JGUQ0AUQDAL4", // uppercase is valid bech32 but not a normalised address
        "cosmos19Rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4", // mixed case
        "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" // wrong length and checksum
    })
    void rejectsMalformedAddresses(String address) {
        assertThat(Bech32Addresses.isValid(address, "cosmos")).as(address).isFalse();
    }

    @Test
    void rejectsPayloadsOfOtherLengths() {
        assertThat(Bech32Addresses.isValid(Bech32Addresses.encode("cosmos", new byte[19]), "cosmos")).isFalse();
        assertThat(Bech32Addresses.isValid(Bech32Addresses.encode("cosmos", new byte[20]), "cosmos")).isTrue();
        assertThat(Bech32Addresses.isValid(Bech32Addresses.encode("cosmos", HexFormat.of().parseHex("00".repeat(33))), "cosmos"))
                .isFalse();
    }
}
