package io.evmore.cosmos.wasmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.PacketId;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.core.testing.InMemoryCursorStore;
import io.evmore.cosmos.CosmosAdapter;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.RecordingListener;
import io.evmore.cosmos.ibc.CosmosIbcCounterLock;
import io.evmore.cosmos.ibc.IbcAddresses;
import io.evmore.cosmos.ibc.IbcRoute;
import io.evmore.cosmos.ibc.IbcRouteCheck;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.devnet.Devnet;
import io.evmore.devnet.DevnetChain;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.TransferModule;
import io.evmore.devnet.wasmd.WasmdChain;
import io.evmore.devnet.wasmd.WasmdIbcNetwork;
import io.evmore.pool.PoolSettings;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of the devnet's multi-hop (its packet-forward and IBC-hooks emulation, its in-JVM IBC relayer) to real
 * chains: three wasmd nodes built with packet-forward middleware v8.2.0 and ibc-hooks v8.0.0 (hooks over PFM over
 * transfer), devnet-a ↔ devnet-b ↔ devnet-c, relayed by Hermes 1.10.5. The same scenarios, written once against
 * {@link World}, run on the devnet and on the real chains, driving the relayer's own multi-hop client
 * ({@link CosmosIbcCounterLock}: route, memo, PFM intermediate receivers, hooks sender, voucher denoms) and reading
 * outcomes with its follower and its query path, as the relay engine does:
 * <ul>
 *   <li>the route check accepts the chains' channels;</li>
 *   <li>a two-hop counter-lock: the HTLC on c is created by the hooks sender the relayer derives, holds the
 *       {@code ibc/…} denom it derives for the two-hop trace, the intermediate receiver on b it derives keeps nothing,
 *       b's escrow toward c and a's escrow toward b grow by exactly the amount, and a success ack arrives on a;</li>
 *   <li>a hooks memo the final chain rejects (a contract that is not there): an error ack on a, the amount back;</li>
 *   <li>a timeout on the first hop (relaying stopped past it): a timeout on a, the amount back;</li>
 *   <li>a timeout on the second hop (PFM's forward times out): what a sees, and the amount back.</li>
 * </ul>
 * What each world answered (reasons, denoms, addresses) is written to {@code target/multihop-conformance-report.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHopConformanceIT {
    static final BigInteger AMOUNT = BigInteger.valueOf(7_000);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /**
     * What a scenario needs of a three-chain world, devnet or real. Not AutoCloseable: JUnit closes AutoCloseable
     * arguments after each parameterized invocation, and the worlds live for the whole class.
     */
    abstract static class World {
        abstract String name();

        /** What the scenarios read of one chain, the same on the devnet and on a wasmd node. */
        record Chain(String prefix, String denom, String rpcUrl, String contract, BiFunction<String, String, BigInteger> balances) {}

        abstract Chain chain(String id);

        abstract String channel(String from, String to);

        abstract String mnemonic(String account);

        /** Stops relaying packets (Hermes stopped / the devnet's relayer paused). */
        abstract void pauseRelaying();

        abstract void resumeRelaying();

        abstract void shutdown();

        String prefix(String chain) {
            return chain(chain).prefix();
        }

        String denom(String chain) {
            return chain(chain).denom();
        }

        String rpcUrl(String chain) {
            return chain(chain).rpcUrl();
        }

        String contract(String chain) {
            return chain(chain).contract();
        }

        BigInteger balance(String chain, String address, String denom) {
            return chain(chain).balances().apply(address, denom);
        }

        @Override
        public String toString() {
            return name();
        }
    }

    static final class DevnetWorld extends World {
        final Devnet devnet = Devnet.defaultTopology().blockInterval(Duration.ofMillis(200)).start();

        String name() {
            return "devnet";
        }

        Chain chain(String id) {
            DevnetChain c = devnet.chain(id);
            return new Chain(c.prefix(), c.denom(), c.rpcUrl(), c.htlcContractAddress(), c::balance);
        }

        String channel(String from, String to) {
            return devnet.chain(from).channelTo(to).orElseThrow().channelId();
        }

        String mnemonic(String account) {
            return devnet.account(account).mnemonic();
        }

        void pauseRelaying() {
            devnet.relayer().pause();
        }

        void resumeRelaying() {
            devnet.relayer().resume();
        }

        void shutdown() {
            devnet.close();
        }
    }

    static final class RealWorld extends World {
        final WasmdIbcNetwork net = WasmdIbcNetwork.startLine();

        String name() {
            return "wasmd+hermes";
        }

        Chain chain(String id) {
            WasmdChain c = net.chain(id);
            return new Chain(c.prefix(), c.denom(), c.rpcUrl(), c.htlcContractAddress(), c::balance);
        }

        String channel(String from, String to) {
            return net.channel(from, to);
        }

        String mnemonic(String account) {
            return net.chain("devnet-a").account(account).mnemonic();
        }

        void pauseRelaying() {
            net.pauseRelaying();
        }

        void resumeRelaying() {
            net.resumeRelaying();
        }

        void shutdown() {
            net.close();
        }
    }

    World devnet;
    World real;
    final PrometheusRegistry registry = new PrometheusRegistry();
    final List<AutoCloseable> closeables = new ArrayList<>();
    final Map<String, String> report = new TreeMap<>();

    @BeforeAll
    void start() {
        devnet = new DevnetWorld();
        real = new RealWorld();
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable x : closeables.reversed()) x.close();
        if (real != null) real.shutdown();
        if (devnet != null) devnet.shutdown();
        StringBuilder s = new StringBuilder("# multi-hop conformance: what each world answered\n");
        report.forEach((k, v) -> s.append(k).append(" = ").append(v).append('\n'));
        Path out = Path.of("target/multihop-conformance-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, s.toString());
    }

    Stream<World> worlds() {
        return Stream.of(devnet, real);
    }

    void record(World w, String what, Object value) {
        report.put(what + " [" + w.name() + "]", String.valueOf(value));
    }

    CosmosAdapter adapter(World w, String chain, RecordingListener[] listenerOut) {
        CosmosSettings s = CosmosSettings.of(ChainId.of(chain), w.prefix(chain), w.denom(chain), List.of(w.rpcUrl(chain)),
                new BigDecimal("0.025"), w.contract(chain))
                .withTimings(Duration.ofMillis(200), Duration.ofSeconds(3), Duration.ofSeconds(20))
                .withTimeoutBlocks(100);
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        CosmosAdapter adapter = new CosmosAdapter(s, signer(w), PoolSettings.cosmosDefaults().withConnections(4, 0)
                .withHeightChecks(50, Duration.ZERO), registry, cursors, Clock.system());
        closeables.add(adapter);
        if (listenerOut != null) {
            listenerOut[0] = new RecordingListener(cursors);
            adapter.follower().start(listenerOut[0]);
        }
        return adapter;
    }

    static CosmosSigner signer(World w) {
        return CosmosSigner.fromMnemonic(w.mnemonic("relayer"));
    }

    static String relayer(World w, String chain) {
        return signer(w).address(w.prefix(chain)).toString();
    }

    static IbcRoute route(World w, Duration firstHop, Duration secondHop) {
        return new IbcRoute("devnet-a", "devnet-c", List.of(
                new IbcRoute.Hop("devnet-b", w.prefix("devnet-b"), "transfer", w.channel("devnet-a", "devnet-b"),
                        w.channel("devnet-b", "devnet-a"), firstHop, 0),
                new IbcRoute.Hop("devnet-c", w.prefix("devnet-c"), "transfer", w.channel("devnet-b", "devnet-c"),
                        w.channel("devnet-c", "devnet-b"), secondHop, 0)));
    }

    /** The latest block time of a chain, read from its CometBFT {@code /status}. */
    static Instant blockTime(World w, String chain) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(w.rpcUrl(chain) + "/status"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = JSON.readTree(r.body());
            return Instant.parse(n.path("result").path("sync_info").path("latest_block_time").asText());
        } catch (Exception e) {
            throw new IllegalStateException("status of " + chain + " on " + w.name(), e);
        }
    }

    LockRequest request(World w, CosmosIbcCounterLock lock, Secret secret) {
        String carol = CosmosSigner.fromMnemonic(w.mnemonic("carol")).address(w.prefix("devnet-c")).toString();
        return new LockRequest(carol, lock.finalAsset(), AMOUNT, secret.hashlock(),
                blockTime(w, "devnet-c").getEpochSecond() + 3600, "eip155:1", "0xabc");
    }

    String escrow(World w, String chain, String channel) {
        return Bech32Address.encode(w.prefix(chain), AddressDerivation.escrow("transfer", channel));
    }

    /** The fee the included tx paid on a (its {@code tx} event), in stake. */
    static BigInteger feeOf(CosmosAdapter home, String txHash) {
        String text = home.rpc().tx(txHash).orElseThrow().result().events().stream()
                .filter(e -> e.type().equals("tx") && e.attr("fee").isPresent()).findFirst().orElseThrow()
                .attr("fee").orElseThrow();
        assertThat(text).endsWith("stake");
        return new BigInteger(text.substring(0, text.length() - "stake".length()));
    }

    static <T extends ChainEvent> Predicate<T> of(PacketId p) {
        return e -> switch (e) {
            case ChainEvent.TransferAcknowledged a -> a.sourceChannel().equals(p.channel()) && a.sequence() == p.sequence();
            case ChainEvent.TransferFailed f -> f.sourceChannel().equals(p.channel()) && f.sequence() == p.sequence();
            default -> false;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("worlds")
    void theRouteCheckAcceptsTheChainsChannels(World w) {
        CosmosAdapter onA = adapter(w, "devnet-a", null);
        CosmosAdapter onC = adapter(w, "devnet-c", null);
        assertThat(IbcRouteCheck.check(route(w, Duration.ofMinutes(1), Duration.ofMinutes(1)), onA.queries(), onC.queries())).isEmpty();
        record(w, "channels a->b, b->a, b->c, c->b", List.of(w.channel("devnet-a", "devnet-b"), w.channel("devnet-b", "devnet-a"),
                w.channel("devnet-b", "devnet-c"), w.channel("devnet-c", "devnet-b")));
        assertThat(onA.queries().channel("transfer", w.channel("devnet-a", "devnet-b"))).hasValueSatisfying(ch -> {
            record(w, "channel version on a", ch.getVersion());
            assertThat(ch.getCounterparty().getPortId()).isEqualTo("transfer");
            assertThat(ch.getCounterparty().getChannelId()).isEqualTo(w.channel("devnet-b", "devnet-a"));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("worlds")
    void aTwoHopCounterLockIsCreatedByTheDerivedHooksSenderInTheDerivedDenom(World w) {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(w, "devnet-a", home);
        CosmosAdapter onC = adapter(w, "devnet-c", null);
        CosmosIbcCounterLock lock = onA.counterLockOver(route(w, Duration.ofMinutes(5), Duration.ofMinutes(5)), "stake",
                w.contract("devnet-c"), relayer(w, "devnet-c"));
        String ab = w.channel("devnet-a", "devnet-b");
        String ba = w.channel("devnet-b", "devnet-a");
        String bc = w.channel("devnet-b", "devnet-c");
        String cb = w.channel("devnet-c", "devnet-b");
        // the relayer's derivations, checked against the devnet's independent ones
        String pfmOnB = IbcAddresses.pfmIntermediate(w.prefix("devnet-b"), ba, relayer(w, "devnet-a"));
        assertThat(pfmOnB).isEqualTo(Bech32Address.encode(w.prefix("devnet-b"), AddressDerivation.pfmReceiver(ba, relayer(w, "devnet-a"))));
        assertThat(lock.finalCreator()).isEqualTo(IbcAddresses.hooksIntermediary(w.prefix("devnet-c"), cb, pfmOnB))
                .isEqualTo(Bech32Address.encode(w.prefix("devnet-c"), AddressDerivation.hooksSender(cb, pfmOnB)));
        String voucherOnB = IbcAddresses.voucherDenom("transfer/" + ba + "/stake");
        assertThat(lock.finalAsset()).isEqualTo(IbcAddresses.voucherDenom("transfer/" + cb + "/transfer/" + ba + "/stake"))
                .isEqualTo(TransferModule.voucherDenom("transfer/" + cb + "/transfer/" + ba + "/stake"));

        BigInteger escrowA = w.balance("devnet-a", escrow(w, "devnet-a", ab), "stake");
        BigInteger escrowB = w.balance("devnet-b", escrow(w, "devnet-b", bc), voucherOnB);
        BigInteger before = w.balance("devnet-a", relayer(w, "devnet-a"), "stake");
        Secret secret = Secret.random();
        TxResult r = lock.send(request(w, lock, secret), TxJournal.NONE);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferAcknowledged.class).stream().filter(of(r.packet()))).hasSize(1));
        assertThat(home[0].events(ChainEvent.TransferFailed.class).stream().filter(of(r.packet()))).isEmpty();
        // by query too (CometBFT indexes a block's txs after its commit: the follower can see the ack first)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(lock.outcome(r.packet())).as("by query too").isInstanceOf(IbcCounterLock.Outcome.Delivered.class));

        HtlcRecord h = onC.htlcChain().htlcsWithHashlock(secret.hashlock()).getFirst();
        record(w, "hooks sender (HTLC sender on c)", h.sender().equals(lock.finalCreator()) ? "the derived one" : h.sender());
        record(w, "HTLC asset on c", h.asset().equals(lock.finalAsset()) ? "the derived ibc/ hash of transfer/" + cb + "/transfer/" + ba
                + "/stake" : h.asset());
        assertThat(h.sender()).as("the hooks sender the relayer derives").isEqualTo(lock.finalCreator());
        assertThat(h.asset()).as("the two-hop voucher the relayer derives").isEqualTo(lock.finalAsset());
        assertThat(h.amount()).isEqualTo(AMOUNT);
        assertThat(h.refundAddress()).isEqualTo(relayer(w, "devnet-c"));
        assertThat(h.status()).isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(w.balance("devnet-b", pfmOnB, voucherOnB)).as("PFM's intermediate receiver on b keeps nothing").isZero();
        assertThat(w.balance("devnet-c", lock.finalCreator(), lock.finalAsset())).as("the hooks sender keeps nothing").isZero();
        assertThat(w.balance("devnet-a", escrow(w, "devnet-a", ab), "stake").subtract(escrowA)).isEqualTo(AMOUNT);
        assertThat(w.balance("devnet-b", escrow(w, "devnet-b", bc), voucherOnB).subtract(escrowB)).as("b escrows its voucher toward c")
                .isEqualTo(AMOUNT);
        assertThat(w.balance("devnet-a", relayer(w, "devnet-a"), "stake")).isEqualTo(before.subtract(AMOUNT).subtract(feeOf(onA, r.txHash())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("worlds")
    void aHooksMemoTheFinalChainRejectsIsAnErrorAckAndTheAmountComesBack(World w) {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(w, "devnet-a", home);
        // a "contract" that is no contract on c: the hooks execution fails there
        String notAContract = Bech32Address.encode(w.prefix("devnet-c"), new byte[32]);
        CosmosIbcCounterLock lock = onA.counterLockOver(route(w, Duration.ofMinutes(5), Duration.ofMinutes(5)), "stake",
                notAContract, relayer(w, "devnet-c"));
        String ba = w.channel("devnet-b", "devnet-a");
        String voucherOnB = IbcAddresses.voucherDenom("transfer/" + ba + "/stake");
        String pfmOnB = IbcAddresses.pfmIntermediate(w.prefix("devnet-b"), ba, relayer(w, "devnet-a"));
        BigInteger before = w.balance("devnet-a", relayer(w, "devnet-a"), "stake");
        TxResult r = lock.send(request(w, lock, Secret.random()), TxJournal.NONE);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferFailed.class).stream().filter(of(r.packet()))).hasSize(1));
        ChainEvent.TransferFailed f = home[0].events(ChainEvent.TransferFailed.class).stream().filter(of(r.packet())).findFirst().orElseThrow();
        record(w, "error ack reason (hooks on c refuse)", f.reason());
        assertThat(f.reason()).startsWith("error acknowledgement");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(lock.outcome(r.packet())).as("by query too").isInstanceOfSatisfying(IbcCounterLock.Outcome.Failed.class,
                x -> assertThat(x.reason()).isEqualTo(f.reason())));
        assertThat(home[0].events(ChainEvent.TransferAcknowledged.class).stream().filter(of(r.packet()))).isEmpty();
        assertThat(w.balance("devnet-b", pfmOnB, voucherOnB)).isZero();
        assertThat(w.balance("devnet-a", relayer(w, "devnet-a"), "stake")).as("only the fee is gone")
                .isEqualTo(before.subtract(feeOf(onA, r.txHash())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("worlds")
    void aTimeoutOnTheFirstHopIsATimeoutOnAAndTheAmountComesBack(World w) {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(w, "devnet-a", home);
        CosmosIbcCounterLock lock = onA.counterLockOver(route(w, Duration.ofSeconds(8), Duration.ofMinutes(5)), "stake",
                w.contract("devnet-c"), relayer(w, "devnet-c"));
        BigInteger before = w.balance("devnet-a", relayer(w, "devnet-a"), "stake");
        TxResult r;
        w.pauseRelaying();
        try {
            r = lock.send(request(w, lock, Secret.random()), TxJournal.NONE);
            Instant sent = blockTime(w, "devnet-a");
            assertThat(lock.outcome(r.packet())).isInstanceOf(IbcCounterLock.Outcome.InFlight.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> blockTime(w, "devnet-b").isAfter(sent.plusSeconds(12)));
        } finally {
            w.resumeRelaying();
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferFailed.class).stream().filter(of(r.packet()))).hasSize(1));
        ChainEvent.TransferFailed f = home[0].events(ChainEvent.TransferFailed.class).stream().filter(of(r.packet())).findFirst().orElseThrow();
        record(w, "first-hop timeout reason", f.reason());
        assertThat(f.reason()).isEqualTo("timeout");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(lock.outcome(r.packet())).isInstanceOfSatisfying(IbcCounterLock.Outcome.Failed.class,
                x -> assertThat(x.reason()).isEqualTo("timeout")));
        assertThat(w.balance("devnet-a", relayer(w, "devnet-a"), "stake")).isEqualTo(before.subtract(feeOf(onA, r.txHash())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("worlds")
    void aTimeoutOnTheSecondHopFailsTheTransferOnAAndTheAmountComesBack(World w) {
        RecordingListener[] home = new RecordingListener[1];
        CosmosAdapter onA = adapter(w, "devnet-a", home);
        // PFM sends the second hop with a timeout of 1 ns after b's block time: it cannot be received on c in time
        CosmosIbcCounterLock lock = onA.counterLockOver(route(w, Duration.ofMinutes(5), Duration.ofNanos(1)), "stake",
                w.contract("devnet-c"), relayer(w, "devnet-c"));
        String ba = w.channel("devnet-b", "devnet-a");
        String bc = w.channel("devnet-b", "devnet-c");
        String voucherOnB = IbcAddresses.voucherDenom("transfer/" + ba + "/stake");
        String pfmOnB = IbcAddresses.pfmIntermediate(w.prefix("devnet-b"), ba, relayer(w, "devnet-a"));
        BigInteger escrowB = w.balance("devnet-b", escrow(w, "devnet-b", bc), voucherOnB);
        BigInteger before = w.balance("devnet-a", relayer(w, "devnet-a"), "stake");
        TxResult r = lock.send(request(w, lock, Secret.random()), TxJournal.NONE);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(
                home[0].events(ChainEvent.TransferFailed.class).stream().filter(of(r.packet()))).hasSize(1));
        ChainEvent.TransferFailed f = home[0].events(ChainEvent.TransferFailed.class).stream().filter(of(r.packet())).findFirst().orElseThrow();
        record(w, "second-hop timeout, as a sees it", f.reason());
        assertThat(f.reason()).startsWith("error acknowledgement");
        assertThat(home[0].events(ChainEvent.TransferAcknowledged.class).stream().filter(of(r.packet()))).isEmpty();
        assertThat(w.balance("devnet-b", pfmOnB, voucherOnB)).as("nothing stuck at the intermediate receiver").isZero();
        assertThat(w.balance("devnet-b", escrow(w, "devnet-b", bc), voucherOnB)).as("b's escrow gave the voucher back").isEqualTo(escrowB);
        assertThat(w.balance("devnet-a", relayer(w, "devnet-a"), "stake")).as("only the fee is gone")
                .isEqualTo(before.subtract(feeOf(onA, r.txHash())));
    }

    /** Last: every answer recorded above is the same on both worlds (what differs would be named here). */
    @Test
    @Order(Integer.MAX_VALUE) // unordered tests come at MAX_VALUE / 2
    void bothWorldsAnsweredTheSame() {
        Map<String, String> devnetAnswers = new TreeMap<>();
        Map<String, String> realAnswers = new TreeMap<>();
        report.forEach((k, v) -> {
            if (k.endsWith(" [" + devnet.name() + "]")) devnetAnswers.put(k.substring(0, k.lastIndexOf(" [")), v);
            if (k.endsWith(" [" + real.name() + "]")) realAnswers.put(k.substring(0, k.lastIndexOf(" [")), v);
        });
        assertThat(devnetAnswers).as("every scenario ran on both").hasSize(7);
        assertThat(devnetAnswers).isEqualTo(realAnswers);
    }
}
