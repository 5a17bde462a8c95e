package io.evmore.cosmos.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.ibc.IbcRoute;
import io.evmore.cosmos.ibc.IbcTransferSender.SentTransfer;
import io.evmore.devnet.DevnetChain;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IBC through the devnet's A ↔ B ↔ C topology (A channel-0 ↔ B channel-0, B channel-1 ↔ C channel-0): the
 * relayer sends from its home chain A; acknowledgements and timeouts are observed by A's follower.
 */
class CosmosIbcIT extends ThreeChainDevnet {
    IbcRoute route(Duration hopTimeout, DevnetChain... via) {
        List<IbcRoute.Hop> hops = new ArrayList<>();
        // A→B over A's channel-0 (B's channel-0); B→C over B's channel-1 (C's channel-0).
        hops.add(new IbcRoute.Hop("devnet-b", "osmo", "transfer", "channel-0", "channel-0", hopTimeout, 0));
        if (via.length > 0) {
            hops.add(new IbcRoute.Hop("devnet-c", "juno", "transfer", "channel-1", "channel-0", hopTimeout, 2));
        }
        return new IbcRoute("devnet-a", via.length > 0 ? "devnet-c" : "devnet-b", hops);
    }

    @Test
    void twoHopTransferCreatesTheHtlcOnTheFinalChainThroughTheHooksMemoAndItsAckIsObserved() {
        RecordingListener[] home = new RecordingListener[1];
        RecordingListener[] fin = new RecordingListener[1];
        CosmosAdapter onA = adapter(a, home);
        CosmosAdapter onC = adapter(c, fin);
        String carol = devnet.account("carol").address("juno");
        Secret secret = Secret.random();
        long timelock = c.state().now().getEpochSecond() + 3600;

        List<String> heard = new ArrayList<>();
        SentTransfer sent = onA.ibc().lockOverRoute(route(Duration.ofMinutes(10), c), c.htlcContractAddress(),
                relayer.address("juno").toString(), "stake", new LockRequest(carol, "stake", BigInteger.valueOf(500),
                        secret.hashlock(), timelock, "eip155:1", "0xabc"), tx -> heard.add(tx.txHash()));
        assertThat(sent.sourceChannel()).isEqualTo("channel-0");
        // Crash recovery: the hash heard before the broadcast finds the same packet; an unknown hash finds nothing.
        assertThat(heard).containsExactly(sent.txHash());
        assertThat(onA.ibc().reconcile(sent.txHash())).contains(sent);
        assertThat(onA.ibc().reconcile("AB".repeat(32))).isEmpty();
        assertThat(sent.memo()).contains("\"forward\"").contains("\"wasm\"")
                .contains("\"refund_address\":\"" + relayer.address("juno") + "\"");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(home[0].events(ChainEvent.TransferAcknowledged.class)).singleElement().satisfies(e -> {
                assertThat(e.sourceChannel()).isEqualTo("channel-0");
                assertThat(e.sequence()).isEqualTo(sent.sequence());
            });
            assertThat(fin[0].events(ChainEvent.HtlcLocked.class)).singleElement().satisfies(e -> {
                HtlcRecord h = e.htlc();
                assertThat(h.receiver()).isEqualTo(carol);
                assertThat(h.amount()).isEqualTo(BigInteger.valueOf(500));
                assertThat(h.asset()).startsWith("ibc/");
                assertThat(h.hashlock()).isEqualTo(secret.hashlock());
                assertThat(h.timelock()).isEqualTo(timelock);
            });
        });
        assertThat(home[0].events(ChainEvent.TransferFailed.class)).isEmpty();
        String id = fin[0].events(ChainEvent.HtlcLocked.class).getFirst().htlc().id();
        HtlcRecord onChain = onC.htlcChain().query(id).orElseThrow();
        assertThat(onChain.status()).isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(onChain.asset()).isEqualTo(fin[0].events(ChainEvent.HtlcLocked.class).getFirst().htlc().asset());
    }

    @Test
    void anErrorAcknowledgementIsObservedAsAFailure() {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(a, home);
        String bob = devnet.account("bob").address("osmo");
        java.math.BigInteger escrowBefore = a.balance(escrowA(), "stake");
        // The packet waits until the relayer's balance after sending (amount and fee gone) has been read.
        devnet.relayer().pause();
        // timelock in the past: the contract on B refuses, the hooks middleware writes an error ack.
        SentTransfer sent = onA.ibc().lockOverRoute(route(Duration.ofMinutes(10)), b.htlcContractAddress(),
                relayer.address("osmo").toString(), "stake", new LockRequest(bob, "stake", BigInteger.valueOf(100),
                        Secret.random().hashlock(), 1, "eip155:1", "0xabc"));
        java.math.BigInteger relayerAfterSend = a.balance(relayerOnA(), "stake");
        assertThat(a.balance(escrowA(), "stake")).isEqualTo(escrowBefore.add(BigInteger.valueOf(100)));
        devnet.relayer().resume();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferFailed.class)).singleElement().satisfies(e -> {
                    assertThat(e.sequence()).isEqualTo(sent.sequence());
                    assertThat(e.sourceChannel()).isEqualTo("channel-0");
                    assertThat(e.reason()).startsWith("error acknowledgement: ABCI code: 6");
                }));
        assertThat(home[0].events(ChainEvent.TransferAcknowledged.class)).isEmpty();
        // Funds are where IBC says: the escrow gave the 100 back to the relayer, nothing reached B's contract.
        assertThat(a.balance(escrowA(), "stake")).isEqualTo(escrowBefore);
        assertThat(a.balance(relayerOnA(), "stake")).as("the 100 came back to the relayer's account")
                .isEqualTo(relayerAfterSend.add(BigInteger.valueOf(100)));
        assertThat(b.balance(b.htlcContractAddress(), voucherOnB())).isZero();
    }

    @Test
    void aTimeoutIsObservedAsAFailure() {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(a, home);
        java.math.BigInteger escrowBefore = a.balance(escrowA(), "stake");
        devnet.relayer().pause();
        SentTransfer sent = onA.ibc().transfer(route(Duration.ofSeconds(30)), devnet.account("bob").address("osmo"),
                "stake", BigInteger.valueOf(300), null);
        java.math.BigInteger relayerAfterSend = a.balance(relayerOnA(), "stake"); // the relayer is paused: no refund yet
        assertThat(a.balance(escrowA(), "stake")).isEqualTo(escrowBefore.add(BigInteger.valueOf(300)));
        b.advanceTime(Duration.ofMinutes(5)); // B is past the packet's timeout when the relayer comes back
        long h = b.height();
        await().atMost(Duration.ofSeconds(30)).until(() -> b.height() > h);
        devnet.relayer().resume();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferFailed.class)).singleElement()
                .isEqualTo(new ChainEvent.TransferFailed(home[0].events(ChainEvent.TransferFailed.class).getFirst().origin(),
                        "channel-0", sent.sequence(), "timeout")));
        assertThat(home[0].events(ChainEvent.TransferAcknowledged.class)).isEmpty();
        assertThat(a.balance(escrowA(), "stake")).isEqualTo(escrowBefore);
        assertThat(a.balance(relayerOnA(), "stake")).as("the 300 came back to the relayer's account")
                .isEqualTo(relayerAfterSend.add(BigInteger.valueOf(300)));
        assertThat(b.balance(devnet.account("bob").address("osmo"), voucherOnB())).isZero();
    }

    /** The relayer's own account on A, which pays for transfers and gets their refunds. */
    String relayerOnA() {
        return relayer.address(a.prefix()).toString();
    }

    /** A's escrow account of channel-0, where sent coins wait until the ack or timeout. */
    String escrowA() {
        return io.evmore.devnet.crypto.Bech32Address.encode("cosmos",
                io.evmore.devnet.crypto.AddressDerivation.escrow("transfer", "channel-0"));
    }

    static String voucherOnB() {
        return io.evmore.devnet.ibc.TransferModule.voucherDenom("transfer/channel-0/stake");
    }
}
