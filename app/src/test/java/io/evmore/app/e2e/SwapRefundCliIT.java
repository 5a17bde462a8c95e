package io.evmore.app.e2e;

import static io.evmore.app.e2e.DevnetCli.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evmore swap refund} as a user meets it: {@code evmore devnet --out DIR} runs as its own process and no relayer
 * runs at all, so the counter-lock never comes. {@code swap start} gives up after {@code --wait-seconds}, keeping the
 * secret and the lock id in its state file; {@code swap refund} is refused before the source timelock (nothing moves),
 * succeeds after it (the funds come back less exactly the gas/fees the receipts show), and is refused a second time.
 *
 * <p>Both directions: Ethereum (user7 locks ETH; the test moves Hardhat's clock past the timelock with
 * {@code evm_increaseTime}) and devnet-a (bob locks stake; the devnet runs in another process, whose clock cannot be
 * moved, so the test waits the shortest timelock {@code swap start} accepts, 120 s, in real time, overlapped with the
 * Ethereum part).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwapRefundCliIT {
    /** The shortest --timelock-seconds swap start accepts. */
    static final long TIMELOCK = 120;
    static final BigInteger ETH_AMOUNT = BigInteger.TEN.pow(17); // 0.1 ETH
    static final BigInteger STAKE_AMOUNT = BigInteger.valueOf(10_000_000); // 10 stake
    static final Pattern TO_GO = Pattern.compile("has not expired yet: (\\d+) s to go");

    @TempDir
    static Path dir;
    static DevnetCli cli;

    /** The Ethereum swap: user7's ETH balance and nonce before the lock, and what start reported. */
    static String user7;
    static BigInteger user7Before;
    static long user7Nonce;
    static JsonNode ethSwap;
    /** The devnet-a swap: bob's stake before the lock, and what start reported. */
    static String bob;
    static BigInteger bobBefore;
    static JsonNode cosmosSwap;

    @BeforeAll
    static void start() throws Exception {
        cli = DevnetCli.start(dir); // and no relayer: nobody will ever counter-lock
        user7 = cli.eth("user7");
        bob = cli.cosmos("bob", "devnet-a");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cli != null) {
            assertThat(cli.stop()).as("devnet stops cleanly on SIGTERM").isZero();
        }
    }

    @Test
    @Order(1)
    void withNoRelayerSwapStartGivesUpAndTheStateFileKeepsTheSecretAndTheLock() throws Exception {
        // devnet-a first: its clock cannot be moved, so its 120 s start now and run while the Ethereum part is tested
        bobBefore = cli.balance("devnet-a", "stake", bob);
        DevnetCli.Run c = cli.swap("start", "--from", "devnet-a", "--to", ETH, "--amount", "10", "--asset", "stake", "--receiver",
                cli.eth("user8"), "--account", "bob", "--claim-account", "user8", "--timelock-seconds", Long.toString(TIMELOCK),
                "--wait-seconds", "2", "--json");
        cosmosSwap = gaveUp(c, "devnet-a", ETH);
        BigInteger lockFee = cli.cosmosFee("devnet-a", cosmosSwap.get("source_tx").asText(), "stake");
        assertThat(lockFee).as("the lock paid a fee").isPositive();
        assertThat(cli.balance("devnet-a", "stake", bob)).as("10 stake locked, plus the lock's fee")
                .isEqualTo(bobBefore.subtract(STAKE_AMOUNT).subtract(lockFee));

        user7Before = cli.balance(ETH, "ETH", user7);
        user7Nonce = cli.ethNonce(user7);
        DevnetCli.Run e = cli.swap("start", "--from", ETH, "--to", "devnet-a", "--amount", "0.1", "--asset", "ETH", "--receiver", bob,
                "--account", "user7", "--claim-account", "carol", "--timelock-seconds", Long.toString(TIMELOCK), "--wait-seconds", "2",
                "--json");
        ethSwap = gaveUp(e, ETH, "devnet-a");
        assertThat(cli.ethNonce(user7)).as("one transaction: the lock").isEqualTo(user7Nonce + 1);
        assertThat(cli.balance(ETH, "ETH", user7)).as("0.1 ETH locked, plus the lock's gas")
                .isEqualTo(user7Before.subtract(ETH_AMOUNT).subtract(cli.ethGasCost(ethSwap.get("source_tx").asText())));
    }

    /** start exited 3 with status REFUSED (no counter-lock in time); the state file holds the secret and the lock id. */
    static JsonNode gaveUp(DevnetCli.Run r, String from, String to) throws Exception {
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        JsonNode s = DevnetCli.lastJson(r.output());
        assertThat(s.get("status").asText()).isEqualTo("REFUSED");
        assertThat(s.get("reason").asText()).isEqualTo("no counter-lock on " + to + " within 2 s; refund the source lock after it expires");
        assertThat(s.has("secret")).as("the secret is never printed").isFalse();
        assertThat(r.output()).contains("with: ./evmore swap refund " + s.get("hashlock").asText());
        JsonNode state = cli.stateFile(s.get("hashlock").asText());
        assertThat(state.get("secret").asText()).matches("[0-9a-f]{64}");
        assertThat(r.output()).doesNotContain(state.get("secret").asText());
        assertThat(state.get("from").asText()).isEqualTo(from);
        assertThat(state.get("source_htlc_id").asText()).isNotBlank().isEqualTo(s.get("source_htlc_id").asText());
        assertThat(state.get("source_tx").asText()).isNotBlank();
        assertThat(state.get("status").asText()).isEqualTo("REFUSED");
        return s;
    }

    @Test
    @Order(2)
    void refundBeforeExpiryIsOneLineWithTheTimeLeftAndMovesNothing() throws Exception {
        BigInteger user7Locked = cli.balance(ETH, "ETH", user7);
        BigInteger bobLocked = cli.balance("devnet-a", "stake", bob);
        for (JsonNode swap : new JsonNode[] {ethSwap, cosmosSwap}) {
            String h = swap.get("hashlock").asText();
            DevnetCli.Run r = cli.swap("refund", h);
            String output = r.output().strip();
            assertThat(r.exit()).as(output).isEqualTo(3);
            assertThat(output.lines().toList()).as("one line: " + output).hasSize(1);
            assertThat(output).startsWith("swap: HASHLOCK: cannot refund: lock " + swap.get("source_htlc_id").asText() + " on "
                    + swap.get("from").asText() + " has not expired yet: ");
            Matcher m = TO_GO.matcher(output);
            assertThat(m.find()).as(output).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("seconds to go").isBetween(1L, TIMELOCK);
            assertThat(cli.stateFile(h).get("status").asText()).isEqualTo("REFUSED");
        }
        assertThat(cli.ethNonce(user7)).as("no refund transaction was sent").isEqualTo(user7Nonce + 1);
        assertThat(cli.balance(ETH, "ETH", user7)).as("no funds moved").isEqualTo(user7Locked);
        assertThat(cli.balance("devnet-a", "stake", bob)).as("no funds moved").isEqualTo(bobLocked);
    }

    @Test
    @Order(3)
    void ethRefundAfterTheTimelockReturnsTheFundsLessExactlyTheGas() throws Exception {
        String h = ethSwap.get("hashlock").asText();
        long timelock = cli.stateFile(h).get("source_timelock").asLong();
        cli.increaseEthTime(timelock - cli.latestBlockTime(ETH) + 1);
        assertThat(cli.latestBlockTime(ETH)).as("Hardhat's clock passed the timelock").isGreaterThanOrEqualTo(timelock);

        DevnetCli.Run r = cli.swap("refund", h, "--json");
        assertThat(r.exit()).as(r.output()).isZero();
        JsonNode s = DevnetCli.lastJson(r.output());
        assertThat(s.get("status").asText()).isEqualTo("REFUNDED");
        assertThat(s.has("secret")).isFalse();
        assertThat(r.output()).contains("done: 0.1 ETH back to " + user7 + " on " + ETH);
        String refundTx = s.get("refund_tx").asText();
        assertThat(cli.stateFile(h).get("refund_tx").asText()).isEqualTo(refundTx);
        assertThat(cli.stateFile(h).get("status").asText()).isEqualTo("REFUNDED");

        BigInteger gas = cli.ethGasCost(ethSwap.get("source_tx").asText()).add(cli.ethGasCost(refundTx));
        assertThat(cli.ethNonce(user7)).as("two transactions: the lock and the refund").isEqualTo(user7Nonce + 2);
        assertThat(cli.balance(ETH, "ETH", user7)).as("back to before the lock, less the lock's and the refund's gas")
                .isEqualTo(user7Before.subtract(gas));

        assertRefundedStatus(h);
    }

    @Test
    @Order(4)
    void aSecondRefundIsRefusedAsAlreadyRefunded() throws Exception {
        String h = ethSwap.get("hashlock").asText();
        BigInteger balance = cli.balance(ETH, "ETH", user7);
        DevnetCli.Run r = cli.swap("refund", h);
        String output = r.output().strip();
        assertThat(r.exit()).as(output).isEqualTo(3);
        assertThat(output.lines().toList()).as("one line: " + output).hasSize(1);
        assertThat(output).isEqualTo("swap: HASHLOCK: cannot refund: lock " + ethSwap.get("source_htlc_id").asText() + " on " + ETH
                + " is already refunded (refunded in tx " + cli.stateFile(h).get("refund_tx").asText() + ")");
        assertThat(cli.ethNonce(user7)).as("nothing sent").isEqualTo(user7Nonce + 2);
        assertThat(cli.balance(ETH, "ETH", user7)).isEqualTo(balance);
    }

    @Test
    @Order(5)
    void devnetRefundAfterTheDevnetClockPassesTheTimelock() throws Exception {
        String h = cosmosSwap.get("hashlock").asText();
        long timelock = cli.stateFile(h).get("source_timelock").asLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(TIMELOCK + 60).toNanos();
        while (cli.latestBlockTime("devnet-a") < timelock) {
            assertThat(System.nanoTime()).as("devnet-a's clock reaches the timelock").isLessThan(deadline);
            Thread.sleep(1000);
        }

        DevnetCli.Run r = cli.swap("refund", h, "--json");
        assertThat(r.exit()).as(r.output()).isZero();
        JsonNode s = DevnetCli.lastJson(r.output());
        assertThat(s.get("status").asText()).isEqualTo("REFUNDED");
        assertThat(r.output()).contains("done: 10 stake back to " + bob + " on devnet-a");
        BigInteger fees = cli.cosmosFee("devnet-a", cosmosSwap.get("source_tx").asText(), "stake")
                .add(cli.cosmosFee("devnet-a", s.get("refund_tx").asText(), "stake"));
        assertThat(cli.balance("devnet-a", "stake", bob)).as("back to before the lock, less the lock's and the refund's fees")
                .isEqualTo(bobBefore.subtract(fees));

        assertRefundedStatus(h);
    }

    /** swap status, as JSON and as text, shows the swap and its source lock refunded. */
    static void assertRefundedStatus(String h) throws Exception {
        DevnetCli.Run json = cli.swap("status", h, "--json");
        assertThat(json.exit()).as(json.output()).isZero();
        JsonNode st = DevnetCli.lastJson(json.output());
        assertThat(st.get("status").asText()).isEqualTo("REFUNDED");
        assertThat(st.get("source_lock_status").asText()).isEqualTo("REFUNDED");
        assertThat(st.get("source_expires_in_seconds").asLong()).isLessThanOrEqualTo(0);
        assertThat(st.has("secret")).isFalse();

        DevnetCli.Run text = cli.swap("status", h);
        assertThat(text.exit()).as(text.output()).isZero();
        assertThat(text.output()).contains("swap " + h + ": REFUNDED").containsPattern("source lock \\S+: REFUNDED, expired \\d+ s ago");
    }
}
