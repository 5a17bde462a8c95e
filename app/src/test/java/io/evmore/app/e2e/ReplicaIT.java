package io.evmore.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import io.evmore.swapper.Swapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas on one PostgreSQL (issue 18): relayer processes with the same configuration and keys ({@code ha.standby}),
 * one leading and one waiting, against one world (Hardhat + the devnet). The leader is removed in each way it can go —
 * {@code kill -9} with a counter-lock sent but not recorded, {@code kill -9} with a source claim sent but not recorded,
 * its database sessions terminated, {@code SIGSTOP} for longer than the lease — and each time the standby takes over
 * within 10 s, reconciles, and every swap completes with exactly one relayer transaction per action (counted on chain by
 * the relayer's Ethereum nonce and devnet-a account sequence, as CrashRecoveryIT does). A deposed leader's late step is
 * refused by the epoch; a process with other keys is refused naming both addresses.
 *
 * <p>Who leads next is never left to chance: a new standby is started only once the previous standby leads. Where a
 * leader must be caught at a point of a swap, its pause point ({@code EVMORE_TEST_PAUSE_AT}) names that swap by the
 * hashlock of a secret chosen before the process starts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaIT {
    static final Swapper.Terms TERMS = new Swapper.Terms(BigInteger.ONE, Duration.ofSeconds(20), Duration.ofSeconds(120));
    static final Duration TAKEOVER_BOUND = Duration.ofSeconds(10);
    static final Secret S1 = Secret.random(); // ETH -> devnet-a: A freezes with its counter-lock sent, B with its claim sent
    static final Secret S2 = Secret.random(); // devnet-a -> ETH, in flight alongside S1
    static final Secret S3 = Secret.random(); // ETH -> devnet-a: C's sessions are terminated while its step is frozen
    static final Secret S4 = Secret.random(); // ETH -> devnet-a: D is SIGSTOPped while its step is frozen

    @TempDir
    static Path dir;
    static SwapWorld world;
    static EmbeddedPostgres pg;
    static String databaseUrl;
    static final Swapper swapper = new Swapper(line -> {});
    static final List<RelayerProcess> processes = new ArrayList<>();
    static final Map<String, Duration> takeovers = new LinkedHashMap<>();
    static RelayerProcess a;
    static RelayerProcess b;
    static RelayerProcess c;
    static RelayerProcess d;
    static Counts beforeS1;

    @BeforeAll
    static void start() throws Exception {
        world = SwapWorld.start(dir);
        pg = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
        try (Connection conn = pg.getPostgresDatabase().getConnection(); Statement s = conn.createStatement()) {
            s.execute("CREATE DATABASE replicas");
        }
        // a password, though the embedded server trusts local connections: a URL without one needs the database-password secret
        databaseUrl = "postgresql://postgres:replicas-it-pw@127.0.0.1:" + pg.getPort() + "/replicas";
    }

    @AfterAll
    static void stop() throws Exception {
        for (RelayerProcess p : processes) {
            try {
                if (p.isAlive()) p.signal("CONT"); // a stopped process must be able to die
            } catch (IOException ignored) {
                // gone already
            }
            p.close();
        }
        System.out.println("ReplicaIT takeovers (from the leader's end to the new leader's /health 200): " + takeovers);
        if (world != null) world.close();
        if (pg != null) pg.close();
    }

    /** A relayer of this world on the shared PostgreSQL as a standby-capable replica, with an optional pause point. */
    static RelayerProcess replica(String pauseAt) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", databaseUrl);
        if (pauseAt != null) env.put("EVMORE_TEST_PAUSE_AT", pauseAt);
        RelayerProcess p = world.startRelayerVariant(RelayerProcess.freePort(), env, y -> y + "ha: {standby: true}\n");
        processes.add(p);
        return p;
    }

    static String at(Secret s) {
        return "@" + s.hashlock().hex().substring(0, 16);
    }

    @Test
    @Order(1)
    void aStandbyWaitsForTheLeaseServingHealthAndMetricsButNotTheAdminApi() throws Exception {
        a = replica("COUNTER_LOCK:sent" + at(S1));
        assertThat(a.awaitHealthy(Duration.ofSeconds(120))).as(a.output()).isTrue();
        b = replica("SOURCE_CLAIM:sent" + at(S1));
        awaitLease(b, detail -> detail.startsWith("standby, leader is "), Duration.ofSeconds(120));
        awaitStarted(b); // its pools are up (warm) once its start is over

        HttpResponse<String> health = b.get("/health", null);
        assertThat(health.statusCode()).isEqualTo(503);
        JsonNode components = SwapWorld.JSON.readTree(health.body()).get("components");
        assertThat(components.get("lease").get("detail").asText()).contains("/" + a.pid() + " since ");
        assertThat(components.get("followers").get("detail").asText()).contains("standby");
        assertThat(components.get("pools").get("status").asText()).as("pools warm").isEqualTo("UP");
        assertThat(b.get("/metrics", null).body()).contains("evmore_lease_role{role=\"standby\"} 1.0", "evmore_lease_held 0.0");
        HttpResponse<String> pending = b.get("/admin/swaps/pending", SwapWorld.TOKEN);
        assertThat(pending.statusCode()).isEqualTo(503);
        assertThat(pending.body()).contains("standby: this process does not hold the lease");
        assertThat(b.post("/admin/services/pause", SwapWorld.TOKEN).statusCode()).isEqualTo(503);

        JsonNode standby = status(b).get("lease");
        JsonNode leader = status(a).get("lease");
        assertThat(standby.get("role").asText()).isEqualTo("standby");
        assertThat(standby.get("leader").get("pid").asLong()).isEqualTo(a.pid());
        assertThat(leader.get("role").asText()).isEqualTo("leader");
        assertThat(leader.get("held").asBoolean()).isTrue();
        assertThat(standby.get("epoch").asLong()).isEqualTo(leader.get("epoch").asLong()).isPositive();
        assertThat(a.get("/metrics", null).body()).contains("evmore_lease_role{role=\"leader\"} 1.0", "evmore_lease_held 1.0",
                "evmore_lease_epoch " + leader.get("epoch").asLong() + ".0");
        // The control: the leader does serve the admin API.
        assertThat(a.get("/admin/swaps/pending", SwapWorld.TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void theLeaderKilledWithACounterLockSentButNotRecordedIsReplacedWithinTenSeconds() throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        String receiver = world.hardhat.devAddresses().get(6);
        try (EthereumUserChain user = world.ethUser(5); CosmosUserChain carol = world.cosmosUser("devnet-a", "carol");
                CosmosUserChain alice = world.cosmosUser("devnet-a", "alice"); EthereumUserChain ethClaimer = world.ethUser(7)) {
            beforeS1 = counts();
            Swapper.Locked l1 = swapper.lock(user, S1, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, user.htlc().latestBlockTime() + 400);
            Swapper.Locked l2 = swapper.lock(alice, S2, world.relayerAddress("devnet-a"), "stake", BigInteger.valueOf(2_000_000),
                    world.eth, receiver, alice.htlc().latestBlockTime() + 400);
            awaitLog(a, "TEST PAUSED at COUNTER_LOCK:sent", Duration.ofSeconds(90));
            assertThat(counts().cosmosSequence - beforeS1.cosmosSequence).as("S1's counter-lock is on chain").isEqualTo(1);

            long killedAt = System.nanoTime();
            assertThat(a.killMinus9(Duration.ofSeconds(10))).isEqualTo(137);
            Duration took = awaitTakeover(b, killedAt, "kill -9 with a counter-lock sent, not recorded");
            assertThat(took).isLessThan(TAKEOVER_BOUND);
            assertThat(b.output()).contains("TAKEOVER: lease 'relayer' acquired");
            assertThat(b.get("/admin/swaps/pending", SwapWorld.TOKEN).statusCode()).as("the new leader serves /admin").isEqualTo(200);

            // The new leader recorded the counter-lock it found on chain; the users claim.
            HtlcRecord counter1 = swapper.awaitCounterLock(carol, bob, world.relayerAddress("devnet-a"), l1, TERMS);
            swapper.claim(carol, counter1, l1);
            HtlcRecord counter2 = swapper.awaitCounterLock(ethClaimer, receiver, world.relayerEthAddress(), l2, TERMS);
            swapper.claim(ethClaimer, counter2, l2);
            awaitState(b, S2.hashlock(), "COMPLETED", Duration.ofSeconds(90));
            assertThat(ethClaimer.locksFor(receiver, S2.hashlock())).as("one counter-lock for S2").hasSize(1);
            // B claims S1's source and freezes right after the claim was included, before recording it.
            awaitLog(b, "TEST PAUSED at SOURCE_CLAIM:sent", Duration.ofSeconds(90));
        }
    }

    @Test
    @Order(3)
    void theNewLeaderKilledWithTheSourceClaimSentIsReplacedToo_andEachActionWasSentOnce() throws Exception {
        c = replica("entered:CONFIRMED" + at(S3) + "+8000");
        awaitLease(c, detail -> detail.startsWith("standby, leader is ") && detail.contains("/" + b.pid() + " "), Duration.ofSeconds(120));
        long killedAt = System.nanoTime();
        assertThat(b.killMinus9(Duration.ofSeconds(10))).isEqualTo(137);
        Duration took = awaitTakeover(c, killedAt, "kill -9 with a source claim sent, not recorded");
        assertThat(took).isLessThan(TAKEOVER_BOUND);
        awaitState(c, S1.hashlock(), "COMPLETED", Duration.ofSeconds(90));

        Counts after = counts();
        assertThat(after.ethNonce - beforeS1.ethNonce).as("Ethereum: S2's counter-lock and S1's source claim").isEqualTo(2);
        assertThat(after.cosmosSequence - beforeS1.cosmosSequence).as("devnet-a: S1's counter-lock and S2's source claim")
                .isEqualTo(2);
        try (CosmosUserChain carol = world.cosmosUser("devnet-a", "carol")) {
            assertThat(carol.locksFor(world.cosmosAddress("devnet-a", "bob"), S1.hashlock())).hasSize(1);
        }
    }

    @Test
    @Order(4)
    void theLeadersSessionsTerminated_itStopsSending_theStandbyTakesOver_andItsLateStepIsRefusedByTheEpoch() throws Exception {
        d = replica("entered:CONFIRMED" + at(S4) + "+4000");
        awaitLease(d, detail -> detail.startsWith("standby, leader is ") && detail.contains("/" + c.pid() + " "), Duration.ofSeconds(120));
        long leaderEpoch = status(c).get("lease").get("epoch").asLong();
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(8); CosmosUserChain carol = world.cosmosUser("devnet-a", "carol")) {
            Counts before = counts();
            Swapper.Locked l3 = swapper.lock(user, S3, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, user.htlc().latestBlockTime() + 400);
            // C's step is frozen for 8 s right after confirming S3: its next move is the counter-lock.
            awaitLog(c, "TEST PAUSED at entered:CONFIRMED", Duration.ofSeconds(90));
            long cutAt = System.nanoTime();
            assertThat(terminateSessionsOf(c)).as("the pool's and the lease's sessions").isGreaterThanOrEqualTo(2);
            // It stops sending within its re-check period (a renewal every 1.25 s finds its session gone).
            awaitLease(c, detail -> !detail.startsWith("leader"), Duration.ofSeconds(5));
            takeovers.put("leader's sessions terminated: leader stopped after", Duration.ofNanos(System.nanoTime() - cutAt));
            Duration took = awaitTakeover(d, cutAt, "leader's database sessions terminated");
            assertThat(took).isLessThan(TAKEOVER_BOUND);
            long newEpoch = status(d).get("lease").get("epoch").asLong();
            assertThat(newEpoch).isGreaterThan(leaderEpoch);
            // C's frozen step wakes after the takeover: whatever it reads or writes next is refused by the epoch.
            awaitLog(c, "TEST RESUMED at entered:CONFIRMED", Duration.ofSeconds(30));
            awaitLog(c, "deposed, the database's epoch is " + newEpoch, Duration.ofSeconds(30));
            assertThat(c.output()).contains("LEASE LOST (epoch " + leaderEpoch + ")");

            HtlcRecord counter = swapper.awaitCounterLock(carol, bob, world.relayerAddress("devnet-a"), l3, TERMS);
            swapper.claim(carol, counter, l3);
            awaitState(d, S3.hashlock(), "COMPLETED", Duration.ofSeconds(90));
            Counts after = counts();
            assertThat(after.cosmosSequence - before.cosmosSequence).as("one counter-lock, by the new leader").isEqualTo(1);
            assertThat(after.ethNonce - before.ethNonce).as("one source claim").isEqualTo(1);
            assertThat(carol.locksFor(bob, S3.hashlock())).hasSize(1);
        }
        // The deposed process stands by again behind the new leader.
        awaitLease(c, detail -> detail.startsWith("standby, leader is ") && detail.contains("/" + d.pid() + " "), Duration.ofSeconds(60));
    }

    @Test
    @Order(5)
    void aLeaderPausedLongerThanTheLeaseSendsNothingOnWakingAndFindsItselfDeposed() throws Exception {
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(9); CosmosUserChain carol = world.cosmosUser("devnet-a", "carol")) {
            Counts before = counts();
            Swapper.Locked l4 = swapper.lock(user, S4, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, user.htlc().latestBlockTime() + 400);
            // D's step is frozen for 4 s right after confirming S4; the whole process is stopped in that window.
            awaitLog(d, "TEST PAUSED at entered:CONFIRMED", Duration.ofSeconds(90));
            long stoppedAt = System.nanoTime();
            d.signal("STOP");
            Duration took = awaitTakeover(c, stoppedAt, "leader SIGSTOPped (its lease expired by the database clock)");
            assertThat(took).isLessThan(TAKEOVER_BOUND);
            String beforeWaking = d.output();
            d.signal("CONT");
            awaitLog(d, "LEASE LOST", Duration.ofSeconds(30));
            String woke = d.output().substring(beforeWaking.length());
            assertThat(woke).contains("deposed");

            // D sent nothing: the one counter-lock is the new leader's.
            HtlcRecord counter = swapper.awaitCounterLock(carol, bob, world.relayerAddress("devnet-a"), l4, TERMS);
            swapper.claim(carol, counter, l4);
            awaitState(c, S4.hashlock(), "COMPLETED", Duration.ofSeconds(90));
            Counts after = counts();
            assertThat(after.cosmosSequence - before.cosmosSequence).as("one counter-lock").isEqualTo(1);
            assertThat(after.ethNonce - before.ethNonce).as("one source claim").isEqualTo(1);
            assertThat(carol.locksFor(bob, S4.hashlock())).hasSize(1);
        }
        awaitLease(d, detail -> detail.startsWith("standby, leader is ") && detail.contains("/" + c.pid() + " "), Duration.ofSeconds(60));
    }

    @Test
    @Order(6)
    void aProcessWithOtherKeysIsRefusedNamingBothAddresses() throws Exception {
        String otherKey = world.hardhat.devPrivateKeys().get(8);
        String otherAddress = world.hardhat.devAddresses().get(8);
        int port = RelayerProcess.freePort();
        RelayerProcess e = world.startRelayerVariant(port, Map.of("DATABASE_URL", databaseUrl, "ETHEREUM_PRIVATE_KEY", otherKey),
                y -> y + "ha: {standby: true}\n");
        processes.add(e);
        assertThat(e.awaitExit(Duration.ofSeconds(60))).as(e.output()).isEqualTo(1);
        assertThat(e.output().toLowerCase()).contains("relayer keys do not match the database")
                .contains("it belongs to " + world.eth + " " + world.relayerEthAddress().toLowerCase())
                .contains("this process signs as " + world.eth + " " + otherAddress.toLowerCase());
        assertThat(e.output()).doesNotContain("HTTP listening");
        assertThat(c.get("/health", null).statusCode()).as("the leader goes on").isEqualTo(200);
    }

    /**
     * The emergency procedure with a standby: pause, then the leader dies. The standby takes over paused (the database
     * keeps the operator's pause) and pays nothing for a lock it sees and confirms meanwhile; resumed, it pays.
     */
    @Test
    @Order(7)
    void anOperatorsPauseOutlivesTheLeader_theStandbyTakesOverPausedAndPaysOnlyOnceResumed() throws Exception {
        awaitLease(d, detail -> detail.startsWith("standby, leader is ") && detail.contains("/" + c.pid() + " "), Duration.ofSeconds(60));
        HttpResponse<String> paused = c.post("/admin/services/pause", SwapWorld.TOKEN);
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        JsonNode answer = SwapWorld.JSON.readTree(paused.body());
        assertThat(answer.get("engine").get("intake").asText()).isEqualTo("PAUSED");
        assertThat(answer.get("keptInDatabase").asBoolean()).as(paused.body()).isTrue();

        long killedAt = System.nanoTime();
        assertThat(c.killMinus9(Duration.ofSeconds(10))).isEqualTo(137);
        awaitTakeover(d, killedAt, "kill -9 of a paused leader");
        JsonNode engine = status(d).get("engine");
        assertThat(engine.get("intake").asText()).as("the new leader starts paused: " + engine).isEqualTo("PAUSED");
        assertThat(engine.get("reason").asText()).contains("admin API").contains("kept in the database");
        assertThat(d.output()).contains("relay engine starts PAUSED: intake was paused by the admin API");

        Secret s5 = Secret.random();
        String bob = world.cosmosAddress("devnet-a", "bob");
        try (EthereumUserChain user = world.ethUser(5); CosmosUserChain carol = world.cosmosUser("devnet-a", "carol")) {
            Counts before = counts();
            Swapper.Locked l5 = swapper.lock(user, s5, world.relayerEthAddress(), HtlcAbi.NATIVE, BigInteger.TEN.pow(16),
                    ChainId.of("devnet-a"), bob, user.htlc().latestBlockTime() + 400);
            // The new leader works (it sees and confirms the lock) but pays nothing while paused.
            awaitState(d, s5.hashlock(), "CONFIRMED", Duration.ofSeconds(60));
            long height = world.devnet.chain("devnet-a").height();
            while (world.devnet.chain("devnet-a").height() < height + 6) Thread.sleep(200);
            assertThat(carol.locksFor(bob, s5.hashlock())).as("no counter-lock while paused").isEmpty();
            assertThat(counts().cosmosSequence()).isEqualTo(before.cosmosSequence());

            HttpResponse<String> resumed = d.post("/admin/services/resume", SwapWorld.TOKEN);
            assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
            assertThat(SwapWorld.JSON.readTree(resumed.body()).get("keptInDatabase").asBoolean()).isTrue();
            HtlcRecord counter = swapper.awaitCounterLock(carol, bob, world.relayerAddress("devnet-a"), l5, TERMS);
            swapper.claim(carol, counter, l5);
            awaitState(d, s5.hashlock(), "COMPLETED", Duration.ofSeconds(90));
            assertThat(counts().cosmosSequence() - before.cosmosSequence()).as("one counter-lock").isEqualTo(1);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------------

    static JsonNode status(RelayerProcess p) throws Exception {
        HttpResponse<String> r = p.get("/admin/services/status", SwapWorld.TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return SwapWorld.JSON.readTree(r.body());
    }

    static String leaseDetail(RelayerProcess p) {
        try {
            return SwapWorld.JSON.readTree(p.get("/health", null).body()).get("components").get("lease").get("detail").asText();
        } catch (Exception e) {
            return "";
        }
    }

    static void awaitLease(RelayerProcess p, Predicate<String> detail, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = leaseDetail(p);
            if (detail.test(last)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("lease of pid " + p.pid() + " is still \"" + last + "\"\n" + SwapWorld.tail(p.output()));
    }

    /** Until {@code p} finished starting (a standby too: lifecycle running). */
    static void awaitStarted(RelayerProcess p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode c = SwapWorld.JSON.readTree(p.get("/health", null).body()).get("components");
                if (c.get("lifecycle").get("status").asText().equals("UP")) return;
            } catch (IOException e) {
                // not answering yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pid " + p.pid() + " did not finish starting:\n" + SwapWorld.tail(p.output()));
    }

    /** Until {@code p} leads and is ready (/health 200): how long since {@code fromNanos}. */
    static Duration awaitTakeover(RelayerProcess p, long fromNanos, String what) throws Exception {
        long deadline = fromNanos + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (p.get("/health", null).statusCode() == 200 && leaseDetail(p).startsWith("leader")) {
                    Duration took = Duration.ofNanos(System.nanoTime() - fromNanos);
                    takeovers.put(what, took);
                    return took;
                }
            } catch (IOException e) {
                // answering slowly
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pid " + p.pid() + " did not take over (" + what + "):\n" + SwapWorld.tail(p.output()));
    }

    static void awaitLog(RelayerProcess p, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (p.output().contains(text)) return;
            Thread.sleep(100);
        }
        throw new AssertionError("pid " + p.pid() + " never logged \"" + text + "\":\n" + SwapWorld.tail(p.output()));
    }

    static void awaitState(RelayerProcess p, Hashlock h, String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = p.get("/admin/swaps/" + h.hex(), SwapWorld.TOKEN);
            last = r.body();
            if (r.statusCode() == 200 && SwapWorld.JSON.readTree(r.body()).get("swap").get("state").asText().equals(state)) return;
            Thread.sleep(200);
        }
        throw new AssertionError("swap " + h.hex() + " not " + state + " on pid " + p.pid() + ": " + last + "\n"
                + SwapWorld.tail(p.output()));
    }

    /** pg_terminate_backend on every session of that relayer process (its pool's and its lease's). */
    static int terminateSessionsOf(RelayerProcess p) throws Exception {
        try (Connection conn = pg.getPostgresDatabase().getConnection(); Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE"
                        + " application_name IN ('evmore-relayer pid " + p.pid() + "', 'evmore-relayer-lease pid " + p.pid() + "')")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    record Counts(long ethNonce, long cosmosSequence) {}

    static Counts counts() {
        long nonce = Long.decode(world.hardhat.rpc("eth_getTransactionCount", world.relayerEthAddress(), "latest").asText());
        var acc = world.devnet.chain("devnet-a").state().account(world.relayerAddress("devnet-a"));
        return new Counts(nonce, acc == null ? 0 : acc.getSequence());
    }
}
