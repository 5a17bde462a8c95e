package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.devnet.wasm.htlc.HtlcContract;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The secret by query on the devnet: {@code get_htlc}'s secret of a withdrawn HTLC, and any withdraw with a hashlock
 * found through the tx index ({@code tx_search} on the contract's {@code wasm} event), filtered by contract and checked
 * against the hashlock; an unreachable node answers empty. The same on a real wasmd node: {@code wasmd.CosmosWasmdIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CosmosRevealedSecretIT {
    static final String CHAIN = "devnet-a";
    Devnet devnet;
    DevnetChain chain;
    String bob;
    final List<CosmosAdapter> adapters = new ArrayList<>();

    @BeforeAll
    void start() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).blockInterval(Duration.ofMillis(200)).start();
        chain = devnet.chain(CHAIN);
        bob = devnet.account("bob").address("cosmos");
    }

    @AfterAll
    void stop() {
        adapters.forEach(CosmosAdapter::close);
        if (devnet != null) devnet.close();
    }

    CosmosAdapter adapter(String account, String contract) {
        CosmosSettings s = CosmosSettings.of(ChainId.of(CHAIN), "cosmos", "stake", List.of(chain.rpcUrl()),
                new BigDecimal("0.025"), contract).withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20));
        PoolSettings pool = PoolSettings.cosmosDefaults().withConnections(4, 0).withHeightChecks(50, Duration.ZERO)
                .withBreaker(5, Duration.ofSeconds(2));
        CosmosAdapter a = new CosmosAdapter(s, CosmosSigner.fromMnemonic(devnet.account(account).mnemonic()), pool,
                new PrometheusRegistry(), new InMemoryCursorStore(), Clock.system());
        adapters.add(a);
        return a;
    }

    LockRequest lock(Secret secret) {
        return new LockRequest(bob, "stake", BigInteger.valueOf(50), secret.hashlock(),
                chain.state().now().getEpochSecond() + 3600, "eip155:1", "0xs");
    }

    @Test
    void theSecretOfAWithdrawnHtlcComesFromGetHtlcByIdAndFromTheTxIndexByHashlock() {
        CosmosAdapter relayer = adapter("relayer", chain.htlcContractAddress());
        Secret secret = Secret.random();
        TxResult locked = relayer.htlcChain().lock(lock(secret));
        // Open: nothing revealed, by either way.
        assertThat(relayer.htlcChain().query(locked.htlcId()).orElseThrow().secret()).isNull();
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), locked.htlcId(), 0)).isEmpty();
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), null, 0)).isEmpty();

        TxResult claimed = adapter("bob", chain.htlcContractAddress()).htlcChain().claim(locked.htlcId(), secret);
        HtlcRecord withdrawn = relayer.htlcChain().query(locked.htlcId()).orElseThrow();
        assertThat(withdrawn.status()).isEqualTo(HtlcRecord.Status.CLAIMED);
        assertThat(withdrawn.secret()).isEqualTo(secret);
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), locked.htlcId(), 0)).contains(secret);
        // By hashlock only: the withdraw found in the tx index, from a height at or below the creation.
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), null, 0)).contains(secret);
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), null, locked.height())).contains(secret);
        // The search starts at fromHeight: after the withdraw there is none.
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), null, claimed.height() + 1)).isEmpty();
        // An id the contract does not know falls back to the search.
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), "htlc_999999", 0)).contains(secret);
        // The id's secret is only returned for the hashlock asked about.
        Hashlock other = Secret.random().hashlock();
        assertThat(relayer.htlcChain().revealedSecret(other, locked.htlcId(), 0)).isEmpty();
    }

    /**
     * An HTLC the relayer did not create (a look-alike, or one made over IBC): only the hashlock links it to the swap.
     * The search is limited to the configured contract: the same withdraw on another contract is not a secret of it.
     */
    @Test
    void aWithdrawOfSomeoneElsesHtlcIsFoundByHashlockOnlyOnTheConfiguredContract() {
        String otherContract = chain.state().instantiate(new HtlcContract());
        Secret secret = Secret.random();
        // alice locks for bob on the other contract; bob withdraws there.
        TxResult elsewhere = adapter("alice", otherContract).htlcChain().lock(lock(secret));
        adapter("bob", otherContract).htlcChain().claim(elsewhere.htlcId(), secret);
        CosmosAdapter relayer = adapter("relayer", chain.htlcContractAddress());
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), null, 0)).as("another contract").isEmpty();
        // Control: the search would have found it on that contract.
        assertThat(adapter("relayer", otherContract).htlcChain().revealedSecret(secret.hashlock(), null, 0)).contains(secret);

        // Now alice locks on the configured contract with the same hashlock and bob claims: found without an id.
        TxResult lookAlike = adapter("alice", chain.htlcContractAddress()).htlcChain().lock(lock(secret));
        adapter("bob", chain.htlcContractAddress()).htlcChain().claim(lookAlike.htlcId(), secret);
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), null, 0)).contains(secret);
    }

    @Test
    void anUnreachableNodeAnswersEmptyNeverAnException() {
        CosmosAdapter relayer = adapter("relayer", chain.htlcContractAddress());
        Secret secret = Secret.random();
        TxResult locked = relayer.htlcChain().lock(lock(secret));
        relayer.htlcChain().claim(locked.htlcId(), secret);
        chain.endpoint(0).stop();
        Optional<Secret> whileDown;
        Optional<Secret> byHashlockWhileDown;
        try {
            whileDown = relayer.htlcChain().revealedSecret(secret.hashlock(), locked.htlcId(), 0);
            byHashlockWhileDown = relayer.htlcChain().revealedSecret(secret.hashlock(), null, 0);
        } finally {
            chain.endpoint(0).start();
        }
        assertThat(whileDown).isEmpty();
        assertThat(byHashlockWhileDown).isEmpty();
        // Control: the same questions once the node answers again (after the pool's circuit breaker lets it back in).
        await().atMost(Duration.ofSeconds(60)).until(() ->
                relayer.htlcChain().revealedSecret(secret.hashlock(), locked.htlcId(), 0).isPresent());
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), locked.htlcId(), 0)).contains(secret);
        assertThat(relayer.htlcChain().revealedSecret(secret.hashlock(), null, 0)).contains(secret);
    }

    /**
     * The relayer's own HTLCs with a hashlock (the engine's last look before it pays a counter-lock again): another
     * account's HTLC with the same hashlock is not one; an unreachable node throws instead of answering none.
     */
    @Test
    void theRelayersOwnHtlcsWithAHashlockAreFoundAndAnUnreachableNodeCannotSayNone() {
        CosmosAdapter relayer = adapter("relayer", chain.htlcContractAddress());
        CosmosAdapter other = adapter("alice", chain.htlcContractAddress());
        Secret secret = Secret.random();
        TxResult ours = relayer.htlcChain().lock(lock(secret));
        other.htlcChain().lock(lock(secret)); // a look-alike with the same hashlock
        relayer.htlcChain().lock(lock(Secret.random())); // ours, another hashlock
        await().atMost(Duration.ofSeconds(20)).until(() -> relayer.htlcChain().htlcsWithHashlock(secret.hashlock()).size() == 2);
        assertThat(relayer.htlcChain().relayerLocksWithHashlock(secret.hashlock(), 0, 0)).extracting(HtlcRecord::id)
                .containsExactly(ours.htlcId());
        chain.endpoint(0).stop();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> relayer.htlcChain().relayerLocksWithHashlock(secret.hashlock(), 0, 0))
                    .isInstanceOf(RuntimeException.class);
        } finally {
            chain.endpoint(0).start();
        }
    }
}
