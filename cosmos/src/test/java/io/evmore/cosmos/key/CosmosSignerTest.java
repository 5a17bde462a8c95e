package io.evmore.cosmos.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CosmosSignerTest {
    static final String ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
            + "abandon about";
    static final BigInteger HALF_N = new BigInteger(
            "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0", 16);

    @Test
    void knownVectorGivesTheCosmosHubAddress() {
        CosmosSigner s = CosmosSigner.fromMnemonic(ABANDON);
        assertThat(HexFormat.of().formatHex(s.addressBytes())).startsWith("28ff5c6d").endsWith("8e01fd");
        assertThat(s.address("cosmos").toString()).isEqualTo("cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4");
        assertThat(s.address("osmo").toString()).startsWith("osmo1").hasSize("osmo".length() + 39);
        assertThat(s.publicKey()).hasSize(33);
    }

    @Test
    void otherPathGivesAnotherKey() {
        CosmosSigner a = CosmosSigner.fromMnemonic(ABANDON);
        CosmosSigner b = CosmosSigner.fromMnemonic(ABANDON, HdPath.parse("m/44'/118'/0'/0/1"));
        assertThat(b.address("cosmos")).isNotEqualTo(a.address("cosmos"));
    }

    @Test
    void signaturesAreDeterministicLowSAnd64Bytes() {
        CosmosSigner s = CosmosSigner.fromMnemonic(ABANDON);
        for (int i = 0; i < 50; i++) {
            byte[] msg = ("message " + i).getBytes();
            byte[] sig = s.sign(msg);
            assertThat(sig).hasSize(64);
            assertThat(s.sign(msg)).isEqualTo(sig);
            BigInteger sv = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
            assertThat(sv).isLessThanOrEqualTo(HALF_N);
        }
    }

    @Test
    void badMnemonicsAreRejectedWithoutEchoingThem() {
        assertThatThrownBy(() -> CosmosSigner.fromMnemonic(ABANDON.replace("about", "abandon")))
                .hasMessageContaining("checksum").hasMessageNotContaining("abandon");
        assertThatThrownBy(() -> CosmosSigner.fromMnemonic("zzzsecretword " + ABANDON.substring(8)))
                .hasMessageNotContaining("zzzsecretword");
        assertThatThrownBy(() -> CosmosSigner.fromMnemonic("one two three")).hasMessageContaining("got 3");
        assertThatThrownBy(() -> CosmosSigner.fromMnemonic(" ")).hasMessageContaining("missing");
    }

    @Test
    void toStringHasNoKeyMaterial() {
        CosmosSigner s = CosmosSigner.fromMnemonic(ABANDON);
        assertThat(s.toString()).doesNotContain("abandon").contains("28ff5c6d");
    }

    @Test
    void hdPathParsing() {
        assertThat(HdPath.parse("m/44'/118'/0'/0/0").indexes()).containsExactly(
                0x8000002c, 0x80000076, 0x80000000, 0, 0);
        assertThatThrownBy(() -> HdPath.parse("44'/118'")).hasMessageContaining("m/");
        assertThatThrownBy(() -> HdPath.parse("m/44'/x")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> HdPath.parse("m/2147483648")).hasMessageContaining("out of range");
    }
}
