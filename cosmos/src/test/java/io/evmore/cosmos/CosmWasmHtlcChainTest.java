package io.evmore.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

/** get_htlc/list_htlcs answers are chain input: checked field by field before they become an HtlcRecord. */
class CosmWasmHtlcChainTest {
    static final String CONTRACT = "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr";
    static final String ALICE = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
    final CosmWasmHtlcChain htlc = new CosmWasmHtlcChain(CosmosSettings.of(ChainId.of("devnet-1"), "cosmos", "stake",
            List.of("http://127.0.0.1:1"), new BigDecimal("0.025"), CONTRACT), null, null);

    static final Secret SECRET = Secret.fromHex("cd".repeat(32));

    static ObjectNode answer() {
        ObjectNode n = HtlcMessages.JSON.createObjectNode();
        n.put("id", "htlc_3").put("sender", ALICE).put("receiver", CONTRACT).put("refund_address", ALICE)
                .put("amount", "100").put("denom", "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2")
                .put("hashlock", SECRET.hashlock().hex()).put("timelock", 1_700_000_100L).put("target_chain", "eip155:1")
                .put("target_address", "0xabc").put("state", "withdrawn").put("secret", "cd".repeat(32))
                .put("created_at", 1_700_000_000L);
        return n;
    }

    @Test
    void aWellFormedAnswerBecomesARecord() {
        HtlcRecord r = htlc.parse(answer());
        assertThat(r.id()).isEqualTo("htlc_3");
        assertThat(r.amount()).isEqualTo(BigInteger.valueOf(100));
        assertThat(r.status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(r.timelock()).isEqualTo(1_700_000_100L);
        assertThat(r.asset()).startsWith("ibc/");
        assertThat(r.refundAddress()).isEqualTo(ALICE);
        assertThat(r.secret()).isEqualTo(SECRET);
    }

    @Test
    void aWithdrawnHtlcCarriesItsSecretAnOpenOneNone() {
        assertThat(htlc.parse(answer().put("secret", SECRET.hex().toUpperCase())).secret()).isEqualTo(SECRET);
        ObjectNode open = answer().put("state", "open");
        open.putNull("secret");
        assertThat(htlc.parse(open).secret()).isNull();
        open.remove("secret");
        assertThat(htlc.parse(open).secret()).isNull();
        ObjectNode refunded = answer().put("state", "refunded");
        refunded.putNull("secret");
        assertThat(htlc.parse(refunded).secret()).isNull();
    }

    @Test
    void aMalformedSecretIsRefusedLikeAnyMalformedFieldWithoutEchoingIt() {
        Secret other = Secret.fromHex("ef".repeat(32));
        for (ObjectNode bad : List.of(answer().put("secret", other.hex()),          // does not open the hashlock
                answer().put("secret", "cd".repeat(31)),                          // 62 hex
                answer().put("secret", "cd".repeat(33)),                          // 66 hex
                answer().put("secret", "0x" + "cd".repeat(31)),
                answer().put("secret", "zz".repeat(32)),
                answer().put("secret", 12345),
                answer().put("state", "open"),                                    // a secret on an open HTLC
                answer().put("state", "refunded"))) {
            assertThatThrownBy(() -> htlc.parse(bad)).as(bad.path("secret").asText() + " " + bad.path("state").asText())
                    .isInstanceOf(TransientException.class).hasMessageContaining("malformed HTLC")
                    .hasMessageContaining("secret").hasMessageNotContaining(SECRET.hex())
                    .hasMessageNotContaining(other.hex()).hasMessageNotContaining("cd".repeat(31));
        }
    }

    @Test
    void theWithdrawSearchNamesTheContractMethodAndHashlockAsTheNodeIndexesThem() {
        Hashlock h = SECRET.hashlock();
        assertThat(htlc.withdrawQuery(h, 0)).isEqualTo("wasm._contract_address='" + CONTRACT
                + "' AND wasm.method='withdraw' AND wasm.hashlock='" + h.hex() + "'");
        assertThat(htlc.withdrawQuery(h, 42)).endsWith(" AND tx.height>=42");
        assertThat(h.hex()).matches("[0-9a-f]{64}"); // the contract's event carries it lowercase
    }

    @Test
    void theRefundAddressComesFromTheAnswerNotFromTheSender() {
        assertThat(htlc.parse(answer().put("refund_address", CONTRACT)).refundAddress()).isEqualTo(CONTRACT);
        assertThat(htlc.parse(answer().put("refund_address", CONTRACT)).sender()).isEqualTo(ALICE);
        ObjectNode older = answer();
        older.remove("refund_address");
        assertThat(htlc.parse(older).refundAddress()).as("an answer without one refunds the sender").isEqualTo(ALICE);
        assertThatThrownBy(() -> htlc.parse(answer().put("refund_address",
                io.evmore.cosmos.key.Bech32Address.of("osmo", new byte[20]).toString())))
                .isInstanceOf(TransientException.class).hasMessageContaining("refund_address");
    }

    @Test
    void malformedAnswersAreTransientErrorsNamingTheField() {
        assertThatThrownBy(() -> htlc.parse(answer().put("sender",
                io.evmore.cosmos.key.Bech32Address.of("osmo", new byte[20]).toString())))
                .isInstanceOf(TransientException.class).hasMessageContaining("sender");
        assertThatThrownBy(() -> htlc.parse(answer().put("receiver", "nonsense")))
                .isInstanceOf(TransientException.class).hasMessageContaining("receiver");
        assertThatThrownBy(() -> htlc.parse(answer().put("denom", "x y")))
                .isInstanceOf(TransientException.class).hasMessageContaining("denom");
        assertThatThrownBy(() -> htlc.parse(answer().put("timelock", "1700000100")))
                .isInstanceOf(TransientException.class).hasMessageContaining("timelock");
        assertThatThrownBy(() -> htlc.parse(answer().put("amount", "-5")))
                .isInstanceOf(TransientException.class).hasMessageContaining("amount");
        assertThatThrownBy(() -> htlc.parse(answer().put("state", "gone")))
                .isInstanceOf(TransientException.class).hasMessageContaining("state");
        assertThatThrownBy(() -> htlc.parse(answer().put("hashlock", "zz")))
                .isInstanceOf(TransientException.class);
    }
}
