package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.pool.Endpoint;
import io.evmore.pool.PoolMetrics;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The reads the engine bases irreversible decisions on, against a real Hardhat node: {@code revealedSecret} (the
 * preimage from {@code Claimed} logs, by HTLC id or by hashlock), {@code queryConfirmed} (a lock as of N blocks deep,
 * gone after a reorg), {@code confirmedBlockTime} and {@code relayerLocksWithHashlock}. Accounts: 1 and 4 lock as users,
 * 2 is the user who claims, 3 and 5 read as the relayer (5 also locks as the relayer).
 */
class ChainReadsIT extends OnHardhatChain {

    private static TxResult lock(int account, Hashlock hashlock) {
        return chain.htlcChain(account).lock(new LockRequest(chain.address(2), HtlcAbi.NATIVE, AMOUNT, hashlock,
                chain.now() + 3600, "osmosis-1", "osmo1user"));
    }

    private static Web3jHtlcChain reader(EthereumSettings s) {
        return new Web3jHtlcChain(s, chain.pool, chain.transactor(s, 3));
    }

    private static long timestamp(long block) {
        return Long.decode(chain.node.rpc("eth_getBlockByNumber", "0x" + Long.toHexString(block), false).get("timestamp").asText());
    }

    // ---- revealedSecret --------------------------------------------------------------------------------------------

    @Test
    void secretOfALockTheReceiverClaimedIsFoundByIdAndByHashlockAndNeverLogged() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        Secret secret = Secret.random();
        try {
            TxResult locked = lock(1, secret.hashlock());
            Web3jHtlcChain relayer = reader(chain.settings);
            TxResult claimed = chain.htlcChain(2).claim(locked.htlcId(), secret);

            assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).contains(secret);
            assertThat(relayer.revealedSecret(secret.hashlock(), null, locked.height())).as("by hashlock").contains(secret);
            assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), 0)).as("height unknown: lookback").contains(secret);
            assertThat(relayer.revealedSecret(secret.hashlock(), null, 0)).contains(secret);
            assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), claimed.height() + 1))
                    .as("searched from the given height only").isEmpty();
            // the record (getLock) does not hold the preimage: only the Claimed log does
            assertThat(relayer.query(locked.htlcId())).get().extracting(HtlcRecord::secret).isNull();

            // a lookback shorter than the distance to the claim misses it when the height is unknown
            chain.node.mine(20);
            Web3jHtlcChain shortSighted = reader(chain.settings.withSecretLookbackBlocks(10));
            assertThat(shortSighted.revealedSecret(secret.hashlock(), locked.htlcId(), 0)).isEmpty();
            assertThat(shortSighted.revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).contains(secret);
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("was revealed by the claim of " + "0x"))
                .noneMatch(m -> m.toLowerCase(java.util.Locale.ROOT).contains(secret.hex()));
    }

    @Test
    void openLockRevealsNothingUntilItIsClaimed() {
        Secret secret = Secret.random();
        TxResult locked = lock(1, secret.hashlock());
        Web3jHtlcChain relayer = reader(chain.settings);
        assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).isEmpty();
        assertThat(relayer.revealedSecret(secret.hashlock(), null, 0)).isEmpty();
        // the same question once the user claimed: the search can see it
        chain.htlcChain(2).claim(locked.htlcId(), secret);
        assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).contains(secret);
    }

    @Test
    void secretRevealedByALookAlikeLockWithTheSameHashlockIsFoundByHashlock() {
        Secret secret = Secret.random();
        TxResult ours = lock(1, secret.hashlock()); // the relayer's counter-lock: stays open
        TxResult lookAlike = lock(4, secret.hashlock());
        Web3jHtlcChain relayer = reader(chain.settings);
        // an unrelated claim in the window: its preimage must not be taken for ours
        Secret other = Secret.random();
        chain.htlcChain(2).claim(lock(4, other.hashlock()).htlcId(), other);
        assertThat(relayer.revealedSecret(secret.hashlock(), ours.htlcId(), ours.height())).isEmpty();

        chain.htlcChain(2).claim(lookAlike.htlcId(), secret);
        assertThat(relayer.revealedSecret(secret.hashlock(), ours.htlcId(), ours.height())).contains(secret);
        assertThat(relayer.revealedSecret(secret.hashlock(), null, ours.height())).contains(secret);
        assertThat(relayer.query(ours.htlcId())).get().extracting(HtlcRecord::status).isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(relayer.revealedSecret(other.hashlock(), ours.htlcId(), ours.height())).as("each hashlock its own")
                .contains(other);
    }

    @Test
    void searchShrinksItsRangeWhenAnEndpointRefusesLargeOnes() throws Exception {
        Secret secret = Secret.random();
        TxResult locked = lock(1, secret.hashlock());
        chain.node.mine(100);
        chain.htlcChain(2).claim(locked.htlcId(), secret);
        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            proxy.maxLogsRange = 10;
            EthereumSettings s = chain.settings.withPolling(chain.settings.pollInterval(), 64);
            s = new EthereumSettings(s.chain(), List.of(new Endpoint("picky", proxy.url())), s.pool(), s.contractAddress(),
                    s.confirmations(), s.pollInterval(), s.getLogsMaxRange(), s.startBlock(), s.fees(), s.receiptTimeout());
            var pool = Web3jConnections.pool("picky", s, PoolMetrics.unregistered(), Clock.system());
            try (pool) {
                Web3jHtlcChain relayer = new Web3jHtlcChain(s, pool, new EthereumTransactor(s, pool, chain.credentials(3), chain.metrics));
                assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).contains(secret);
                assertThat(relayer.revealedSecret(secret.hashlock(), null, locked.height())).contains(secret);
            }
            assertThat(proxy.refusedLogs.get()).as("large ranges were refused, and the smaller range kept")
                    .isPositive().isLessThanOrEqualTo(8);
            assertThat(proxy.servedLogRanges).isNotEmpty().allMatch(r -> r <= 10);

            proxy.maxLogsRange = 0; // an endpoint that refuses every eth_getLogs
            var refusing = Web3jConnections.pool("refusing", s, PoolMetrics.unregistered(), Clock.system());
            try (refusing) {
                Web3jHtlcChain relayer = new Web3jHtlcChain(s, refusing, new EthereumTransactor(s, refusing, chain.credentials(3), chain.metrics));
                assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).isEmpty();
            }
        }
    }

    @Test
    void nodeThatIsDownRevealsNothingAndThrowsNothing() throws Exception {
        Secret secret = Secret.random();
        TxResult locked = lock(1, secret.hashlock());
        chain.htlcChain(2).claim(locked.htlcId(), secret);
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        EthereumSettings s = chain.settings;
        s = new EthereumSettings(s.chain(), List.of(new Endpoint("down", "http://127.0.0.1:" + deadPort)), s.pool(),
                s.contractAddress(), s.confirmations(), s.pollInterval(), s.getLogsMaxRange(), s.startBlock(), s.fees(),
                s.receiptTimeout());
        var pool = Web3jConnections.pool("down", s, PoolMetrics.unregistered(), Clock.system());
        try (pool) {
            Web3jHtlcChain relayer = new Web3jHtlcChain(s, pool, new EthereumTransactor(s, pool, chain.credentials(3), chain.metrics));
            long t0 = System.nanoTime();
            assertThat(relayer.revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).isEmpty();
            assertThat(relayer.revealedSecret(secret.hashlock(), null, 0)).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        }
        // the same question to a node that is up finds it
        assertThat(reader(chain.settings).revealedSecret(secret.hashlock(), locked.htlcId(), locked.height())).contains(secret);
    }

    // ---- relayerLocksWithHashlock ------------------------------------------------------------------------------------

    /**
     * The relayer's own locks with a hashlock: found from the height given (and not below it), with the status the
     * contract holds now; another account's lock with the same hashlock and the relayer's lock with another are not;
     * an endpoint whose head is behind the height the relayer followed cannot answer (it throws, never "none").
     */
    @Test
    void theRelayersOwnLocksWithAHashlockAreFoundAndALaggingEndpointCannotSayNone() throws Exception {
        Secret secret = Secret.random();
        long before = chain.node.blockNumber();
        TxResult ours = lock(5, secret.hashlock());
        lock(4, secret.hashlock()); // a third party's look-alike
        lock(5, Secret.random().hashlock()); // ours, another hashlock
        Web3jHtlcChain relayer = new Web3jHtlcChain(chain.settings, chain.pool, chain.transactor(5));
        long head = chain.node.blockNumber();
        List<io.evmore.core.chain.HtlcRecord> found = relayer.relayerLocksWithHashlock(secret.hashlock(), before, head);
        assertThat(found).extracting(io.evmore.core.chain.HtlcRecord::id).containsExactly(ours.htlcId());
        assertThat(found.getFirst().sender()).isEqualToIgnoringCase(chain.address(5));
        assertThat(found.getFirst().status()).isEqualTo(io.evmore.core.chain.HtlcRecord.Status.OPEN);
        assertThat(relayer.relayerLocksWithHashlock(secret.hashlock(), ours.height() + 1, head)).as("searched from the height given")
                .isEmpty();
        chain.htlcChain(2).claim(ours.htlcId(), secret);
        assertThat(relayer.relayerLocksWithHashlock(secret.hashlock(), before, head)).extracting(io.evmore.core.chain.HtlcRecord::status)
                .containsExactly(io.evmore.core.chain.HtlcRecord.Status.CLAIMED);

        try (FaultyRpcProxy proxy = new FaultyRpcProxy(chain.node.url())) {
            proxy.behind = 5;
            EthereumSettings s = chain.settings;
            s = new EthereumSettings(s.chain(), List.of(new Endpoint("behind", proxy.url())), s.pool(), s.contractAddress(),
                    s.confirmations(), s.pollInterval(), s.getLogsMaxRange(), s.startBlock(), s.fees(), s.receiptTimeout());
            try (var pool = Web3jConnections.pool("behind", s, PoolMetrics.unregistered(), Clock.system())) {
                Web3jHtlcChain lagging = new Web3jHtlcChain(s, pool, new EthereumTransactor(s, pool, chain.credentials(5), chain.metrics));
                long followed = chain.node.blockNumber();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> lagging.relayerLocksWithHashlock(secret.hashlock(), before, followed))
                        .isInstanceOf(io.evmore.core.error.TransientException.class).hasMessageContaining("behind");
            }
        }
    }

    // ---- queryConfirmed --------------------------------------------------------------------------------------------

    @Test
    void queryConfirmedSeesALockOnlyOnceItIsNDeepAndNotOnceItsBlockIsReorgedAway() {
        int n = 3;
        Web3jHtlcChain relayer = reader(chain.settings);
        String snapshot = chain.node.snapshot();
        Secret secret = Secret.random();
        TxResult locked = lock(1, secret.hashlock()); // head = its block: 1 deep
        chain.node.mine(n - 2); // n - 1 deep
        assertThat(chain.node.blockNumber() - locked.height() + 1).isEqualTo(n - 1);
        assertThat(relayer.query(locked.htlcId())).as("the latest state has it").isPresent();
        assertThat(relayer.queryConfirmed(locked.htlcId(), n)).isEmpty();
        assertThat(relayer.queryConfirmed(locked.htlcId(), n - 1)).isPresent();

        chain.node.mine(1); // n deep
        Optional<HtlcRecord> deep = relayer.queryConfirmed(locked.htlcId(), n);
        assertThat(deep).get().satisfies(h -> {
            assertThat(h.status()).isEqualTo(HtlcRecord.Status.OPEN);
            assertThat(h.hashlock()).isEqualTo(secret.hashlock());
            assertThat(h.amount()).isEqualTo(AMOUNT);
            assertThat(h.receiver()).isEqualTo(chain.address(2));
        });
        assertThat(relayer.queryConfirmed(locked.htlcId(), chain.node.blockNumber() + 2)).as("deeper than the chain").isEmpty();

        assertThat(chain.node.revert(snapshot)).isTrue(); // the lock's block leaves the chain
        chain.node.mine(n + 2); // a longer chain without it: its height is n deep again
        assertThat(chain.node.blockNumber() - n + 1).isGreaterThanOrEqualTo(locked.height());
        assertThat(relayer.queryConfirmed(locked.htlcId(), n)).isEmpty();
        assertThat(relayer.query(locked.htlcId())).isEmpty();
    }

    // ---- confirmedBlockTime ----------------------------------------------------------------------------------------

    @Test
    void confirmedBlockTimeIsTheTimestampOfTheBlockConfirmationsDeep() {
        for (int i = 0; i < 4; i++) { // 100 s between blocks: every block's time is its own
            chain.node.increaseTime(100);
            chain.node.rpc("evm_mine");
        }
        long head = chain.node.blockNumber();
        Web3jHtlcChain three = reader(chain.settings.withConfirmations(3));
        assertThat(three.confirmedBlockTime()).isEqualTo(timestamp(head - 2)).isLessThan(chain.now());
        assertThat(reader(chain.settings).confirmedBlockTime()).as("1 confirmation: the head").isEqualTo(chain.now());
        assertThat(reader(chain.settings.withConfirmations(1000)).confirmedBlockTime()).as("shorter chain: block 0")
                .isEqualTo(timestamp(0));
    }
}
