package io.evmore.devnet.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import org.junit.jupiter.api.Test;

class CacheKvTest {
    static ByteString k(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void writesReachTheParentOnlyOnWriteAndScansMergeDeletes() {
        MemKv base = new MemKv();
        base.set(k("a/1"), k("x"));
        base.set(k("a/2"), k("y"));
        CacheKv cache = new CacheKv(base);
        cache.set(k("a/3"), k("z"));
        cache.delete(k("a/1"));
        assertThat(base.get(k("a/3"))).isNull();
        assertThat(cache.scan(k("a/"), null)).extracting(e -> e.getKey().toStringUtf8()).containsExactly("a/2", "a/3");
        assertThat(cache.scan(k("a/"), k("a/2"))).extracting(e -> e.getKey().toStringUtf8()).containsExactly("a/3");
        cache.write();
        assertThat(base.get(k("a/1"))).isNull();
        assertThat(base.get(k("a/3"))).isEqualTo(k("z"));
    }

    @Test
    void gasIsChargedPerAccessAndRunsOut() {
        GasMeter meter = new GasMeter(2500);
        GasKv kv = new GasKv(new MemKv(), meter);
        kv.get(k("a"));
        assertThat(meter.consumed()).isEqualTo(1000 + 3);
        assertThatThrownBy(() -> kv.set(k("b"), k("v"))).isInstanceOf(GasMeter.OutOfGasException.class)
                .hasMessageStartingWith("out of gas in location: WriteFlat; gasWanted: 2500, gasUsed: ");
    }

    @Test
    void decoderRejectsNonCanonicalAndUnknownFields() {
        byte[] body = TxBody.newBuilder().setMemo("m").build().toByteArray();
        byte[] withUnknown = ByteString.copyFrom(body).concat(ByteString.copyFrom(new byte[] {(byte) 0xa0, 0x01, 0x01})).toByteArray();
        byte[] tx = TxRaw.newBuilder().setBodyBytes(ByteString.copyFrom(withUnknown)).build().toByteArray();
        assertThatThrownBy(() -> DecodedTx.decode(tx)).isInstanceOfSatisfying(SdkException.class, e -> {
            assertThat(e.code()).isEqualTo(2);
            assertThat(e.log()).endsWith(": tx parse error");
        });
        byte[] canonical = TxRaw.newBuilder().setBodyBytes(ByteString.copyFrom(body)).addSignatures(ByteString.copyFromUtf8("s")).build().toByteArray();
        // the same fields in the wrong order: signatures before body
        byte[] reordered = ByteString.copyFrom(canonical, canonical.length - 3, 3).concat(ByteString.copyFrom(canonical, 0, canonical.length - 3)).toByteArray();
        assertThatThrownBy(() -> DecodedTx.decode(reordered)).isInstanceOfSatisfying(SdkException.class, e -> assertThat(e.code()).isEqualTo(2));
    }

    @Test
    void revisionNumberIsTheTrailingNumberOfTheChainId() {
        assertThat(new ChainSpec("devnet-1", "cosmos", "stake").revisionNumber()).isEqualTo(1);
        assertThat(new ChainSpec("osmosis-12", "osmo", "uosmo").revisionNumber()).isEqualTo(12);
        assertThat(new ChainSpec("devnet-a", "cosmos", "stake").revisionNumber()).isZero();
        assertThat(new ChainSpec("devnet-0", "cosmos", "stake").revisionNumber()).isZero();
        assertThatThrownBy(() -> new ChainSpec("bad id!", "cosmos", "stake")).hasMessageContaining("bad id!");
    }
}
