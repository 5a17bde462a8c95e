package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.error.LeaseLostException;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lease and its fencing on a real PostgreSQL: the epoch grows with every takeover, a held lease is refused naming
 * its holder, renewal keeps it, expiry is decided by the database's clock, the death of the holder's session frees it
 * at once, a takeover waits for a holder's write in flight, and a deposed writer's insert, transition, saveIntent and
 * saveCursor each fail while the new holder's succeed. Two stores on one database play two relayer processes.
 */
class PostgresLeaseIT {
    static final ChainId ETH = ChainId.of("eip155:1");
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static EmbeddedPostgres pg;
    private String database;
    private JdbcSwapStore a;
    private JdbcSwapStore b;
    private static int counter;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    @BeforeEach
    void twoProcessesOnOneDatabase() throws SQLException {
        database = "lease_" + (counter++) + "_" + Long.toHexString(System.nanoTime());
        sql("postgres", "CREATE DATABASE " + database);
        a = open();
        b = open();
    }

    @AfterEach
    void close() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    private JdbcSwapStore open() {
        return SwapStores.open(DatabaseSettings.fromUrl("postgresql://postgres@127.0.0.1:" + pg.getPort() + "/" + database
                + "?sslmode=disable").withPoolSize(4));
    }

    private static void sql(String db, String statement) throws SQLException {
        try (Connection c = pg.getDatabase("postgres", db).getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private void sql(String statement) throws SQLException {
        sql(database, statement);
    }

    private static LeaseSettings seconds(long s) {
        return LeaseSettings.ofSeconds(s);
    }

    @Test
    void everyTakeoverIncrementsTheEpochAndTheRowNamesTheHolder() {
        LeaseHolder first = LeaseHolder.another();
        LeaseHolder second = LeaseHolder.another();
        DatabaseLease one = a.acquireLease("relayer", seconds(5), first);
        assertThat(one.epoch()).isEqualTo(1);
        LeaseInfo info = b.leaseInfo("relayer").orElseThrow();
        assertThat(info.epoch()).isEqualTo(1);
        assertThat(info.holderId()).isEqualTo(first.id());
        assertThat(info.host()).isEqualTo(first.host());
        assertThat(info.pid()).isEqualTo(first.pid());
        assertThat(info.holderSession()).as("the holder's session holds its advisory lock").isTrue();
        assertThat(Duration.between(info.databaseNow(), info.expiresAt())).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(5));

        one.close(); // released: the next one takes it at once
        assertThat(b.leaseInfo("relayer").orElseThrow().held()).isFalse();
        DatabaseLease two = b.acquireLease("relayer", seconds(5), second);
        assertThat(two.epoch()).isEqualTo(2);
        two.close();
        try (DatabaseLease three = a.acquireLease("relayer", seconds(5), first)) {
            assertThat(three.epoch()).as("the same process taking it again starts a new term").isEqualTo(3);
            assertThat(a.leaseInfo("relayer").orElseThrow().holderId()).isEqualTo(first.id());
        }
    }

    @Test
    void aHeldLeaseIsRefusedNamingItsHolderAndRenewalKeepsItBeyondItsDuration() throws Exception {
        LeaseHolder holder = LeaseHolder.another();
        try (DatabaseLease lease = a.acquireLease("relayer", seconds(1), holder);
                LeaseCandidate other = b.leaseCandidate("relayer", seconds(1), LeaseHolder.another())) {
            Instant firstExpiry = b.leaseInfo("relayer").orElseThrow().expiresAt();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // three lease durations
            int refusals = 0;
            while (System.nanoTime() < until) {
                assertThat(lease.isHeld()).isTrue();
                assertThatThrownBy(other::tryAcquire).isInstanceOf(LeaseHeldException.class)
                        .hasMessageContaining("lease 'relayer' held by " + holder.host() + "/" + holder.pid() + " since ")
                        .hasMessageContaining("(epoch 1)");
                refusals++;
                Thread.sleep(100);
            }
            assertThat(refusals).isGreaterThan(10);
            LeaseInfo later = b.leaseInfo("relayer").orElseThrow();
            assertThat(later.expiresAt()).as("renewed").isAfter(firstExpiry.plusSeconds(1));
            assertThat(later.sinceRenewal()).isLessThan(Duration.ofSeconds(1));
            assertThat(lease.sinceLastRenewal()).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void expiryIsDecidedByTheDatabasesClockAndTheHolderStopsTrustingItEarlier() throws Exception {
        DatabaseLease lease = a.acquireLease("relayer", seconds(2), LeaseHolder.another());
        LeaseCandidate other = b.leaseCandidate("relayer", seconds(2), LeaseHolder.another());
        try {
            lease.stopRenewing(); // a paused process
            // The database's expiry is what counts: far in its future, the lease stays held whatever time passes here.
            sql("UPDATE relayer_lease SET expires_at = clock_timestamp() + interval '1 hour'");
            long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
            while (lease.isHeld() && System.nanoTime() < until) Thread.sleep(20);
            assertThat(lease.isHeld()).as("the holder trusts its lease only 1.5 s after its last renewal").isFalse();
            assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("not renewed for").hasMessageContaining("nothing is sent");
            Thread.sleep(600); // past the lease's 2 s duration by any local clock
            assertThatThrownBy(other::tryAcquire).isInstanceOf(LeaseHeldException.class);
            // Once the database's clock passes expires_at, another process takes it.
            sql("UPDATE relayer_lease SET expires_at = clock_timestamp() - interval '1 millisecond'");
            try (DatabaseLease taken = other.tryAcquire()) {
                assertThat(taken.epoch()).isEqualTo(2);
            }
        } finally {
            other.close();
            lease.close();
        }
    }

    @Test
    void theEndOfTheHoldersSessionFreesTheLeaseAtOnceAndTheHolderKnowsItLostIt() throws Exception {
        List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();
        DatabaseLease lease = a.acquireLease("relayer", seconds(60), LeaseHolder.another());
        lease.onLost(lost::add);
        // Control: while the session lives, the lease is refused (60 s from expiry).
        assertThatThrownBy(() -> b.acquireLease("relayer", seconds(60), LeaseHolder.another()))
                .isInstanceOf(LeaseHeldException.class);
        assertThat(terminate(JdbcSwapStore.LEASE_APPLICATION_NAME)).isEqualTo(1);
        // Not waiting for the 60 s expiry: the holder's advisory lock went with its session.
        try (DatabaseLease taken = b.acquireLease("relayer", seconds(60), LeaseHolder.another())) {
            assertThat(taken.epoch()).isEqualTo(2);
            assertThat(b.leaseInfo("relayer").orElseThrow().untilExpiry()).isGreaterThan(Duration.ofSeconds(50));
            lease.renewNow(); // the holder's next renewal finds its session gone
            assertThat(lost).singleElement().asString().contains("session ended");
            assertThat(lease.isHeld()).isFalse();
            assertThatThrownBy(lease::checkHeld).isInstanceOf(LeaseLostException.class).hasMessageContaining("lost");
        } finally {
            lease.close();
        }
    }

    @Test
    void aDeposedHoldersInsertTransitionSaveIntentAndSaveCursorEachFailAndTheNewHoldersSucceed() throws Exception {
        DatabaseLease old = a.acquireLease("relayer", seconds(60), LeaseHolder.another());
        SwapStore oldStore = a.fencedBy(old);
        // Control: the holder writes each kind.
        Swap s1 = swap("0x01");
        oldStore.run(tx -> tx.insert(s1, "detected"));
        oldStore.run(tx -> tx.transition(s1, SwapState.DETECTED, SwapState.CONFIRMED, "confirmed", null, T0.plusSeconds(1)));
        oldStore.run(tx -> tx.saveIntent(TxIntent.pending("i1", s1.id(), ETH, "COUNTER_LOCK", T0)));
        oldStore.run(tx -> tx.saveCursor(new ChainCursor(ETH, 10, "0x0a"), T0));
        assertThat(oldStore.find(s1.id())).isPresent();

        // The holder is paused; the database says its lease expired; another process takes over.
        old.stopRenewing();
        sql("UPDATE relayer_lease SET expires_at = clock_timestamp() - interval '1 millisecond'");
        DatabaseLease now = b.acquireLease("relayer", seconds(60), LeaseHolder.another());
        assertThat(now.epoch()).isEqualTo(2);
        assertThat(old.isHeld()).as("the deposed process still believes it holds the lease (60 s lease)").isTrue();

        Swap s2 = swap("0x02");
        Swap confirmed = a.find(s1.id()).orElseThrow();
        List<Consumer<SwapStore.Tx>> writes = List.of(
                tx -> tx.insert(s2, "detected"),
                tx -> tx.transition(confirmed, SwapState.CONFIRMED, SwapState.COUNTER_PENDING, "sending", null, T0.plusSeconds(2)),
                tx -> tx.saveIntent(TxIntent.pending("i2", s1.id(), ETH, "COUNTER_LOCK", T0)),
                tx -> tx.saveCursor(new ChainCursor(ETH, 11, "0x0b"), T0));
        for (Consumer<SwapStore.Tx> w : writes) {
            assertThatThrownBy(() -> oldStore.run(w)).isInstanceOf(LeaseLostException.class)
                    .hasMessageContaining("deposed, the database's epoch is 2").hasMessageContaining("nothing written");
        }
        // nor may it act on what it reads
        assertThatThrownBy(() -> oldStore.find(s1.id())).isInstanceOf(LeaseLostException.class).hasMessageContaining("deposed");
        assertThatThrownBy(() -> oldStore.read(tx -> tx.intentsOf(s1.id()))).isInstanceOf(LeaseLostException.class);
        assertThat(a.find(s2.id())).isEmpty();
        assertThat(a.find(s1.id()).orElseThrow().state()).isEqualTo(SwapState.CONFIRMED);
        List<TxIntent> intents = a.inTransaction(tx -> tx.intentsOf(s1.id()));
        assertThat(intents).extracting(TxIntent::id).containsExactly("i1");
        assertThat(a.cursor(ETH).orElseThrow().height()).isEqualTo(10);
        assertThatThrownBy(() -> oldStore.deleteTerminalBefore(T0)).isInstanceOf(LeaseLostException.class);

        // The new holder's writes of the same kinds succeed.
        SwapStore newStore = b.fencedBy(now);
        for (Consumer<SwapStore.Tx> w : writes) newStore.run(w);
        assertThat(b.find(s2.id())).isPresent();
        assertThat(b.find(s1.id()).orElseThrow().state()).isEqualTo(SwapState.COUNTER_PENDING);
        assertThat(b.cursor(ETH).orElseThrow().height()).isEqualTo(11);
        now.close();
        old.close();
    }

    @Test
    void aHolderWhoseLeaseExpiredIsRefusedByTheDatabaseUntilItRenews() throws Exception {
        try (DatabaseLease lease = a.acquireLease("relayer", seconds(60), LeaseHolder.another())) {
            SwapStore fenced = a.fencedBy(lease);
            lease.stopRenewing();
            sql("UPDATE relayer_lease SET expires_at = clock_timestamp() - interval '1 millisecond'");
            assertThatThrownBy(() -> fenced.run(tx -> tx.saveCursor(new ChainCursor(ETH, 1, "0x01"), T0)))
                    .isInstanceOf(LeaseLostException.class).hasMessageContaining("by the database's clock");
            lease.renewNow(); // nobody took over: its own epoch is still the database's
            fenced.run(tx -> tx.saveCursor(new ChainCursor(ETH, 1, "0x01"), T0));
            assertThat(a.cursor(ETH)).isPresent();
        }
    }

    @Test
    void aTakeoverWaitsForTheHoldersWriteInFlightWhichTheNewHolderThenSees() throws Exception {
        DatabaseLease old = a.acquireLease("relayer", seconds(10), LeaseHolder.another());
        old.stopRenewing(); // it will expire in 10 s by the database's clock, while its write is still open
        SwapStore oldStore = a.fencedBy(old);
        // the write starts just before the expiry, so it is still in flight (idle less than the lease) when the takeover comes
        long near = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (b.leaseInfo("relayer").orElseThrow().untilExpiry().compareTo(Duration.ofMillis(700)) > 0 && System.nanoTime() < near) {
            Thread.sleep(20);
        }
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.Executor threads = r -> Thread.ofPlatform().daemon().start(r); // not the (1-thread) common pool
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> oldStore.run(tx -> {
            tx.saveIntent(TxIntent.pending("journaled", null, ETH, "COUNTER_LOCK", T0)); // checked the lease FOR SHARE first
            inside.countDown();
            try {
                finish.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), threads);
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!b.leaseInfo("relayer").orElseThrow().untilExpiry().isNegative() && System.nanoTime() < until) Thread.sleep(50);
        assertThat(b.leaseInfo("relayer").orElseThrow().untilExpiry()).as("expired by the database's clock").isNegative();
        CompletableFuture<DatabaseLease> takeover = CompletableFuture.supplyAsync(
                () -> b.acquireLease("relayer", seconds(60), LeaseHolder.another()), threads);
        // The takeover is blocked on the lease row's lock (seen by the server), not merely slow.
        until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!leaseSessionWaitsOnALock() && System.nanoTime() < until) Thread.sleep(20);
        assertThat(leaseSessionWaitsOnALock()).as(activity()).isTrue();
        assertThat(takeover).isNotDone();
        finish.countDown();
        write.get(30, TimeUnit.SECONDS);
        try (DatabaseLease now = takeover.get(30, TimeUnit.SECONDS)) {
            assertThat(now.epoch()).isEqualTo(2);
            java.util.Optional<TxIntent> journaled = b.inTransaction(tx -> tx.intent("journaled"));
            assertThat(journaled).as("the old holder's journal, committed before the takeover").isPresent();
        }
        old.close();
    }

    @Test
    void aHolderFrozenInsideItsWriteDoesNotHoldATakeoverBackBeyondTheLease() throws Exception {
        DatabaseLease old = a.acquireLease("relayer", seconds(2), LeaseHolder.another());
        old.stopRenewing();
        SwapStore oldStore = a.fencedBy(old);
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch thaw = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.Executor threads = r -> Thread.ofPlatform().daemon().start(r);
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> oldStore.run(tx -> {
            tx.saveIntent(TxIntent.pending("frozen", null, ETH, "COUNTER_LOCK", T0)); // the lease row FOR SHARE first
            inside.countDown();
            try {
                thaw.await(60, TimeUnit.SECONDS); // frozen (SIGSTOP, a paused VM): its session stays connected
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), threads);
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<DatabaseLease> takeover = CompletableFuture.supplyAsync(() -> {
            long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (System.nanoTime() < until) {
                try {
                    return b.acquireLease("relayer", seconds(60), LeaseHolder.another());
                } catch (LeaseHeldException notYetExpired) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            throw new IllegalStateException("no takeover in 40 s");
        }, threads);
        // The frozen write still waits, yet the takeover completes: the server ended the idle transaction after 2 s.
        try (DatabaseLease now = takeover.get(30, TimeUnit.SECONDS)) {
            assertThat(write).as("the old holder is still frozen").isNotDone();
            assertThat(now.epoch()).isEqualTo(2);
            thaw.countDown();
            assertThatThrownBy(() -> write.get(30, TimeUnit.SECONDS)).as("the frozen write commits nothing").isInstanceOf(ExecutionException.class);
            java.util.Optional<TxIntent> frozen = b.inTransaction(tx -> tx.intent("frozen"));
            assertThat(frozen).as("nothing of it in the database").isEmpty();
        } finally {
            thaw.countDown();
            old.close();
        }
    }

    @Test
    void theDatabaseRecordsTheRelayersAddressesAndRefusesOthersNamingBoth() {
        try (DatabaseLease lease = a.acquireLease("relayer", seconds(60), LeaseHolder.another())) {
            Map<String, String> mine = Map.of("eip155:1", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                    "osmosis-1", "osmo1abc");
            assertThat(a.bindAddresses(lease, mine)).isEqualTo(mine);
            // The same keys again (an Ethereum address in other letter case is the same address), a new chain added.
            assertThat(a.bindAddresses(lease, Map.of("eip155:1", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                    "juno-1", "juno1xyz"))).containsEntry("juno-1", "juno1xyz").hasSize(3);
            assertThatThrownBy(() -> a.bindAddresses(lease, Map.of("eip155:1", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    "osmosis-1", "osmo1abc")))
                    .isInstanceOf(AddressMismatchException.class)
                    .hasMessageContaining("it belongs to eip155:1 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
                    .hasMessageContaining("this process signs as eip155:1 0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
            assertThat(b.boundAddresses()).hasSize(3).containsEntry("eip155:1", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
            // A deliberate rotation replaces the recorded address; the old keys are then the ones refused.
            assertThat(a.rebindAddresses(lease, Map.of("eip155:1", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")))
                    .containsEntry("eip155:1", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8").hasSize(3);
            assertThatThrownBy(() -> a.bindAddresses(lease, Map.of("eip155:1", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")))
                    .isInstanceOf(AddressMismatchException.class);
        }
    }

    private boolean leaseSessionWaitsOnALock() throws SQLException {
        try (Connection c = pg.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND application_name = '" + JdbcSwapStore.LEASE_APPLICATION_NAME + "' AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private String activity() throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Connection c = pg.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT application_name, state, wait_event_type, wait_event, query"
                        + " FROM pg_stat_activity WHERE datname = current_database()")) {
            while (rs.next()) {
                b.append(rs.getString(1)).append(" | ").append(rs.getString(2)).append(" | ").append(rs.getString(3))
                        .append(" | ").append(rs.getString(4)).append(" | ").append(rs.getString(5)).append('\n');
            }
        }
        return b.toString();
    }

    private int terminate(String applicationName) throws SQLException {
        try (Connection c = pg.getDatabase("postgres", database).getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND application_name = '" + applicationName + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    static Swap swap(String sourceHtlcId) {
        return SwapStoreContract.swap(sourceHtlcId, SwapState.DETECTED, T0);
    }
}
