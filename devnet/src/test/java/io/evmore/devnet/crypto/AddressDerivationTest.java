package io.evmore.devnet.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.devnet.ibc.TransferModule;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Address and denom derivations against published values (STACK.md, COSMOS_WIRE §9, Osmosis' ATOM denom). */
class AddressDerivationTest {
    static final String ABANDON = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    @Test
    void mnemonicDerivesTheWellKnownCosmosAddress() {
        DevnetKey key = DevnetKey.fromMnemonic(ABANDON);
        assertThat(HexFormat.of().formatHex(key.addressBytes())).startsWith("28ff5c6d").endsWith("8e01fd");
        assertThat(key.address("cosmos")).isEqualTo("cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4");
        assertThat(key.toString()).doesNotContain("abandon");
    }

    @Test
    void firstContractOfFirstCodeHasTheWasmdAddress() {
        assertThat(Bech32Address.encode("cosmos", AddressDerivation.contract(1, 1)))
                .isEqualTo("cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr");
    }

    @Test
    void voucherDenomIsUppercaseSha256OfTheTrace() {
        assertThat(TransferModule.voucherDenom("transfer/channel-0/uatom"))
                .isEqualTo("ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2");
    }

    @Test
    void derivedAddressesHaveTheirLengths() {
        assertThat(AddressDerivation.escrow("transfer", "channel-0")).hasSize(20);
        assertThat(AddressDerivation.pfmReceiver("channel-0", "cosmos1x")).hasSize(20);
        assertThat(AddressDerivation.hooksSender("channel-0", "cosmos1x")).hasSize(32);
        assertThat(AddressDerivation.hooksSender("channel-0", "cosmos1x")).isNotEqualTo(AddressDerivation.hooksSender("channel-1", "cosmos1x"));
    }

    @Test
    void bech32DecodeChecksPrefixAndChecksum() {
        String addr = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
        assertThat(Bech32Address.decode(addr, "cosmos")).hasSize(20);
        assertThat(Bech32Address.isValid(addr, "osmo")).isFalse();
        assertThat(Bech32Address.isValid(addr.substring(0, addr.length() - 1) + "5", "cosmos")).isFalse();
        assertThat(Bech32Address.isValid(addr.toUpperCase(), "cosmos")).isFalse();
        assertThatThrownBy(() -> Bech32Address.decode("notanaddress", "cosmos")).hasMessageContaining("notanaddress");
    }

    @Test
    void signaturesVerifyOnlyForTheSignedBytesAndLowS() {
        DevnetKey key = DevnetKey.fromMnemonic(ABANDON);
        byte[] msg = "sign doc".getBytes(StandardCharsets.UTF_8);
        byte[] sig = key.sign(msg);
        assertThat(Secp256k1.verify(key.publicKey(), msg, sig)).isTrue();
        assertThat(Secp256k1.verify(key.publicKey(), "other".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        // the high-S twin of a valid signature is rejected, as the SDK does
        java.math.BigInteger n = new java.math.BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
        java.math.BigInteger s = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
        byte[] highS = n.subtract(s).toByteArray();
        byte[] twin = sig.clone();
        java.util.Arrays.fill(twin, 32, 64, (byte) 0);
        System.arraycopy(highS, Math.max(0, highS.length - 32), twin, 64 - Math.min(32, highS.length), Math.min(32, highS.length));
        assertThat(Secp256k1.verify(key.publicKey(), msg, twin)).isFalse();
        assertThat(Secp256k1.verify(key.publicKey(), msg, new byte[63])).isFalse();
    }
}
