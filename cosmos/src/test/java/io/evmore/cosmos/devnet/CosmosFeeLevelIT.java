package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.pool.PoolSettings;
import io.evmore.proto.cosmos.tx.v1beta1.AuthInfo;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Fee levels on the devnet, read from the included transactions: level N pays gas limit × gasPrice × 1.5^N (rounded
 * up), capped at {@link CosmosSettings#maxGasPrice()}; level 0 is the configured price. The relayer's balance drops by
 * exactly that fee.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CosmosFeeLevelIT {
    static final String CHAIN = "devnet-a";
    static final BigDecimal PRICE = new BigDecimal("0.025");
    Devnet devnet;
    DevnetChain chain;
    String bob;

    @BeforeAll
    void start() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).blockInterval(Duration.ofMillis(200)).start();
        chain = devnet.chain(CHAIN);
        bob = devnet.account("bob").address("cosmos");
    }

    @AfterAll
    void stop() {
        if (devnet != null) devnet.close();
    }

    CosmosAdapter adapter(UnaryOperator<CosmosSettings> tune) {
        CosmosSettings s = tune.apply(CosmosSettings.of(ChainId.of(CHAIN), "cosmos", "stake", List.of(chain.rpcUrl()), PRICE,
                chain.htlcContractAddress()).withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20)));
        return new CosmosAdapter(s, CosmosSigner.fromMnemonic(devnet.account("relayer").mnemonic()),
                PoolSettings.cosmosDefaults().withConnections(4, 0).withHeightChecks(50, Duration.ZERO),
                new PrometheusRegistry(), new InMemoryCursorStore(), Clock.system());
    }

    /** The fee and gas limit of an included tx, as the chain holds its bytes. */
    record Paid(BigInteger fee, long gasLimit) {}

    Paid paid(String txHash) throws Exception {
        byte[] raw = chain.state().tx(HexFormat.of().parseHex(txHash)).tx();
        var fee = AuthInfo.parseFrom(TxRaw.parseFrom(raw).getAuthInfoBytes()).getFee();
        assertThat(fee.getAmountList()).singleElement().satisfies(c -> assertThat(c.getDenom()).isEqualTo("stake"));
        return new Paid(new BigInteger(fee.getAmount(0).getAmount()), fee.getGasLimit());
    }

    static BigInteger fee(long gasLimit, String price) {
        return new BigDecimal(gasLimit).multiply(new BigDecimal(price)).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
    }

    BigInteger balance(CosmosAdapter a) {
        return chain.balance(a.htlcChain().relayerAddress(), "stake");
    }

    LockRequest lock(Secret secret, long seconds) {
        return new LockRequest(bob, "stake", BigInteger.valueOf(100), secret.hashlock(),
                chain.state().now().getEpochSecond() + seconds, "eip155:1", "0xf");
    }

    @Test
    void levelTwoPaysGasTimesPriceTimes2_25AndLevelZeroTheConfiguredPrice() throws Exception {
        try (CosmosAdapter a = adapter(s -> s)) {
            Secret secret = Secret.random();
            BigInteger before = balance(a);
            TxResult locked = a.htlcChain().lock(lock(secret, 3600), tx -> {}, FeeBid.level(2));
            Paid lockFee = paid(locked.txHash());
            assertThat(lockFee.fee()).isEqualTo(fee(lockFee.gasLimit(), "0.05625")); // 0.025 x 2.25
            assertThat(balance(a)).isEqualTo(before.subtract(BigInteger.valueOf(100)).subtract(lockFee.fee()));

            // Control: level 0 is today's fee, well below it for a similar gas limit.
            BigInteger beforeClaim = balance(a);
            TxResult claimed = a.htlcChain().claim(locked.htlcId(), secret, tx -> {}, FeeBid.NORMAL);
            Paid claimFee = paid(claimed.txHash());
            assertThat(claimFee.fee()).isEqualTo(fee(claimFee.gasLimit(), "0.025"));
            assertThat(balance(a)).isEqualTo(beforeClaim.subtract(claimFee.fee()));
            assertThat(lockFee.fee()).isGreaterThan(claimFee.fee().multiply(BigInteger.TWO));
        }
    }

    @Test
    void theEscalatedPriceIsCappedAtTheConfiguredMaximumAndByDefaultAtTenTimesThePrice() throws Exception {
        try (CosmosAdapter capped = adapter(s -> s.withMaxGasPrice(new BigDecimal("0.05")));
                CosmosAdapter byDefault = adapter(s -> s)) {
            Secret secret = Secret.random();
            TxResult locked = capped.htlcChain().lock(lock(secret, 5), tx -> {}, FeeBid.level(2));
            Paid lockFee = paid(locked.txHash());
            assertThat(lockFee.fee()).isEqualTo(fee(lockFee.gasLimit(), "0.05")); // not 0.05625
            devnet.advanceTime(Duration.ofSeconds(30));
            BigInteger before = balance(byDefault);
            TxResult refunded = byDefault.htlcChain().refund(locked.htlcId(), tx -> {}, FeeBid.level(FeeBid.MAX_LEVEL));
            Paid refundFee = paid(refunded.txHash());
            assertThat(refundFee.fee()).isEqualTo(fee(refundFee.gasLimit(), "0.25")); // 10 x 0.025
            assertThat(balance(byDefault)).isEqualTo(before.add(BigInteger.valueOf(100)).subtract(refundFee.fee()));
        }
    }
}
