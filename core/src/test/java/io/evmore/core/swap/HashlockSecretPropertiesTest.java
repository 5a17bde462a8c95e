package io.evmore.core.swap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Round trips of the two 32-byte values every swap hangs on, over arbitrary bytes (jqwik). */
class HashlockSecretPropertiesTest {

    @Provide
    Arbitrary<byte[]> thirtyTwoBytes() {
        return Arbitraries.bytes().array(byte[].class).ofSize(32);
    }

    @Property
    void secretBytesAndHexRoundTrip(@ForAll("thirtyTwoBytes") byte[] raw) {
        Secret s = Secret.of(raw);
        assertThat(s.bytes()).isEqualTo(raw);
        assertThat(s.hex()).hasSize(64).matches("[0-9a-f]{64}").isEqualTo(HexFormat.of().formatHex(raw));
        assertThat(Secret.fromHex(s.hex())).isEqualTo(s);
        assertThat(Secret.fromHex(s.hex().toUpperCase())).isEqualTo(s);
        assertThat(Secret.fromHex("0x" + s.hex())).isEqualTo(s);
        assertThat(s.toString()).doesNotContain(s.hex());
        byte[] copy = raw.clone();
        raw[0] ^= 1; // the secret keeps its own copy
        assertThat(s.bytes()).isEqualTo(copy);
    }

    @Property
    void hashlockBytesAndHexRoundTrip(@ForAll("thirtyTwoBytes") byte[] raw) {
        Hashlock h = Hashlock.of(raw);
        assertThat(h.bytes()).isEqualTo(raw);
        assertThat(h.hex()).matches("[0-9a-f]{64}").isEqualTo(HexFormat.of().formatHex(raw));
        assertThat(Hashlock.fromHex(h.hex())).isEqualTo(h).hasSameHashCodeAs(h);
        assertThat(Hashlock.fromHex("0x" + h.hex().toUpperCase())).isEqualTo(h);
        assertThat(h.toString()).isEqualTo(h.hex());
    }

    @Property
    void hashlockOfASecretIsItsSha256AndOnlyItOpensIt(@ForAll("thirtyTwoBytes") byte[] a,
            @ForAll("thirtyTwoBytes") byte[] b) throws Exception {
        Assume.that(!Arrays.equals(a, b));
        Secret s = Secret.of(a);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(a);
        assertThat(s.hashlock().bytes()).isEqualTo(digest);
        assertThat(s.hashlock()).isEqualTo(Hashlock.fromHex(HexFormat.of().formatHex(digest)));
        assertThat(s.opens(s.hashlock())).isTrue();
        assertThat(Secret.of(b).opens(s.hashlock())).isFalse();
        assertThat(Secret.fromHex(s.hex()).hashlock()).isEqualTo(s.hashlock());
    }

    @Property
    void onlyThirtyTwoBytesAreAccepted(@ForAll @IntRange(min = 0, max = 80) int length) {
        Assume.that(length != 32);
        byte[] raw = new byte[length];
        assertThatThrownBy(() -> Secret.of(raw)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got " + length);
        assertThatThrownBy(() -> Hashlock.of(raw)).isInstanceOf(IllegalArgumentException.class);
        String hex = HexFormat.of().formatHex(raw);
        assertThatThrownBy(() -> Secret.fromHex(hex)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hashlock.fromHex(hex)).isInstanceOf(IllegalArgumentException.class);
    }
}
