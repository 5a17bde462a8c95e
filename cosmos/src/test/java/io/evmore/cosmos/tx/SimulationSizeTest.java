package io.evmore.cosmos.tx;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.evmore.cosmos.key.CosmosSigner;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The submitter simulates before it knows the latest height (it reads it meanwhile), so the simulated body carries
 * {@link CosmosTxSubmitter#SIMULATED_TIMEOUT_HEIGHT}: the body the node meters for size is never shorter than the one
 * signed with the real timeout height, whatever that height is.
 */
class SimulationSizeTest {
    static final CosmosSigner KEY = CosmosSigner.fromMnemonic("abandon abandon abandon abandon abandon abandon abandon "
            + "abandon abandon abandon abandon about");

    @ParameterizedTest(name = "timeout height {0}")
    @ValueSource(longs = {1, 127, 128, 20_000_000, 4_000_000_000L, 1L << 56, Long.MAX_VALUE - 1})
    void theSimulatedBodyIsNeverShorterThanTheSignedOne(long timeoutHeight) {
        List<Any> messages = List.of(CosmosMessages.send("cosmos1sender", "cosmos1receiver",
                CosmosMessages.coin("stake", BigInteger.valueOf(7))));
        byte[] simulated = TxBuilder.bodyBytes(messages, "memo", CosmosTxSubmitter.SIMULATED_TIMEOUT_HEIGHT);
        byte[] signed = TxBuilder.bodyBytes(messages, "memo", timeoutHeight);
        assertThat(simulated.length).isGreaterThanOrEqualTo(signed.length);
        assertThat(TxBuilder.simulationTx(KEY.publicKey(), 3, messages, "memo", "stake",
                CosmosTxSubmitter.SIMULATED_TIMEOUT_HEIGHT).length).isGreaterThan(simulated.length);
    }
}
