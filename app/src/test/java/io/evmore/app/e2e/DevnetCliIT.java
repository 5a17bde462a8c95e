package io.evmore.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.app.swap.Network;
import io.evmore.app.testing.RelayerProcess;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools a newcomer or another team uses, each as its own process: {@code evmore devnet --out DIR}, then the relayer
 * from DIR/relayer.yaml, then {@code evmore swap start} as a user. Balances are checked against quotes computed here
 * from the pair table (gross = floor(amount × rate), fee = ceil(gross × feeBps / 10000), net = gross − fee).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevnetCliIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ETH = "eip155:31337";
    static final int FEE_BPS = 30;

    @TempDir
    static Path dir;
    static DevnetCli cli;
    static Path out;
    static Path states;
    static RelayerProcess relayer;
    static Network net;
    static JsonNode doc;

    @BeforeAll
    static void start() throws Exception {
        cli = DevnetCli.start(dir);
        out = cli.out;
        states = cli.states;
        doc = cli.doc;
        net = cli.net;
        relayer = cli.startRelayer();
    }

    @AfterAll
    static void stop() throws Exception {
        if (relayer != null) {
            relayer.terminate(Duration.ofSeconds(30));
        }
        if (cli != null) {
            assertThat(cli.stop()).as("devnet stops cleanly on SIGTERM").isZero();
        }
    }

    static BigInteger quote(BigInteger amount, String rate) {
        BigInteger gross = new BigDecimal(amount).multiply(new BigDecimal(rate)).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        BigInteger fee = new BigDecimal(gross).multiply(BigDecimal.valueOf(FEE_BPS)).divide(BigDecimal.valueOf(10_000), 0, RoundingMode.CEILING)
                .toBigIntegerExact();
        return gross.subtract(fee);
    }

    static BigInteger balance(String chain, String asset, String owner) {
        return cli.balance(chain, asset, owner);
    }

    static String cosmos(String name, String chain) {
        return cli.cosmos(name, chain);
    }

    static String eth(String name) {
        return cli.eth(name);
    }

    /** Runs `evmore swap ARGS --devnet … --state-dir …` as a process; returns [exit code, stdout+stderr]. */
    static Object[] swap(String... args) throws Exception {
        DevnetCli.Run r = cli.swap(args);
        return new Object[] {r.exit(), r.output()};
    }

    static JsonNode lastJson(String output) throws IOException {
        return DevnetCli.lastJson(output);
    }

    @Test
    @Order(1)
    void devnetJsonDescribesTheWorldOwnerOnlyAndTheRelayerConfigIsComplete() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("devnet.json")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("secrets/ethereum-private-key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("secrets/cosmos-mnemonic")))).isEqualTo("rw-------");
        JsonNode e = doc.get("ethereum");
        assertThat(e.get("chain_id").asText()).isEqualTo(ETH);
        assertThat(e.get("rpc").asText()).startsWith("http://127.0.0.1:");
        assertThat(e.get("websocket").asText()).startsWith("ws://127.0.0.1:");
        assertThat(e.get("htlc_contract").asText()).matches("0x[0-9a-f]{40}");
        assertThat(e.get("tokens").get(0).get("symbol").asText()).isEqualTo("DEV");
        assertThat(e.get("accounts")).hasSize(10);
        assertThat(e.get("accounts").get(0).get("private_key").asText()).matches("0x[0-9a-f]{64}");
        assertThat(doc.get("chains")).hasSize(3);
        assertThat(doc.get("relayer").get(ETH).asText()).isEqualTo(eth("relayer"));
        // funded: ETH and DEV on every development account
        assertThat(balance(ETH, "DEV", eth("user5"))).isEqualTo(BigInteger.TEN.pow(24));
        assertThat(balance(ETH, "ETH", eth("user5"))).isGreaterThan(BigInteger.TEN.pow(21));
        String yaml = Files.readString(out.resolve("relayer.yaml"));
        assertThat(yaml).contains("provider: file").contains("environment: development").contains(e.get("tokens").get(0).get("address").asText());
        // devnet-c is two hops from the relayer's home devnet-a: a route in relayer.yaml, and what arrives there in devnet.json
        String arrives = doc.get("routes").get("devnet-c").get("arrives_as").asText();
        assertThat(arrives).matches("ibc/[0-9A-F]{64}");
        assertThat(doc.get("routes").get("devnet-c").get("hops")).hasSize(2);
        assertThat(yaml).contains("route:").contains("from: devnet-a").contains("toAsset: \"" + arrives + "\"");
    }

    @Test
    @Order(2)
    void ethToDevnetA() throws Exception {
        BigInteger amount = BigInteger.TEN.pow(17); // 0.1 ETH
        BigInteger expected = quote(amount, "0.0000000001");
        String bob = cosmos("bob", "devnet-a");
        BigInteger before = balance("devnet-a", "stake", bob);
        BigInteger userBefore = balance(ETH, "ETH", eth("user1"));
        Object[] r = swap("start", "--from", ETH, "--to", "devnet-a", "--amount", "0.1", "--asset", "ETH", "--receiver", bob,
                "--min-receive", "9.9", "--account", "user1", "--claim-account", "carol", "--json");
        assertThat((int) r[0]).as((String) r[1]).isZero();
        JsonNode s = lastJson((String) r[1]);
        assertThat(s.get("status").asText()).isEqualTo("CLAIMED");
        assertThat(s.has("secret")).as("the secret is never printed").isFalse();
        assertThat(s.get("counter_amount").asText()).isEqualTo(expected.toString());
        assertThat(balance("devnet-a", "stake", bob).subtract(before)).isEqualTo(expected);
        BigInteger spent = userBefore.subtract(balance(ETH, "ETH", eth("user1")));
        assertThat(spent).as("0.1 ETH plus gas").isGreaterThan(amount).isLessThan(amount.add(BigInteger.TEN.pow(15)));
        Path state = states.resolve(s.get("hashlock").asText() + ".json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rw-------");
        assertThat(JSON.readTree(Files.readString(state)).get("secret").asText()).matches("[0-9a-f]{64}");
        assertThat((String) r[1]).doesNotContain(JSON.readTree(Files.readString(state)).get("secret").asText());
        awaitSourceClaimed(s.get("hashlock").asText());
    }

    @Test
    @Order(3)
    void devnetAToEth() throws Exception {
        BigInteger amount = BigInteger.valueOf(10_000_000); // 10 stake
        BigInteger expected = quote(amount, "10000000000");
        String receiver = eth("user2");
        BigInteger before = balance(ETH, "ETH", receiver);
        BigInteger aliceBefore = balance("devnet-a", "stake", cosmos("alice", "devnet-a"));
        Object[] r = swap("start", "--from", "devnet-a", "--to", ETH, "--amount", "10", "--asset", "stake", "--receiver", receiver,
                "--min-receive", "0.099", "--account", "alice", "--claim-account", "user3", "--json");
        assertThat((int) r[0]).as((String) r[1]).isZero();
        JsonNode s = lastJson((String) r[1]);
        assertThat(s.get("counter_amount").asText()).isEqualTo(expected.toString());
        assertThat(balance(ETH, "ETH", receiver).subtract(before)).as("user3 paid the claim's gas; user2 got exactly the quote").isEqualTo(expected);
        BigInteger spent = aliceBefore.subtract(balance("devnet-a", "stake", cosmos("alice", "devnet-a")));
        assertThat(spent).as("10 stake plus the lock's fee").isGreaterThan(amount).isLessThan(amount.add(BigInteger.valueOf(1_000_000)));
        awaitSourceClaimed(s.get("hashlock").asText());
    }

    @Test
    @Order(4)
    void ethToDevnetCOverTwoHops() throws Exception {
        BigInteger amount = BigInteger.TEN.pow(17); // 0.1 ETH
        BigInteger expected = quote(amount, "0.0000000001");
        String stakeOnC = doc.get("routes").get("devnet-c").get("arrives_as").asText();
        String carol = cosmos("carol", "devnet-c");
        BigInteger before = balance("devnet-c", stakeOnC, carol);
        // no --to-asset: on a multi-hop destination the default is what the relayer delivers there
        Object[] r = swap("start", "--from", ETH, "--to", "devnet-c", "--amount", "0.1", "--asset", "ETH", "--receiver", carol,
                "--min-receive", "9.9", "--account", "user5", "--claim-account", "alice", "--json");
        assertThat((int) r[0]).as((String) r[1]).isZero();
        JsonNode s = lastJson((String) r[1]);
        assertThat(s.get("status").asText()).isEqualTo("CLAIMED");
        assertThat(s.get("counter_amount").asText()).isEqualTo(expected.toString());
        assertThat(balance("devnet-c", stakeOnC, carol).subtract(before)).as("devnet-a's stake, delivered over devnet-b").isEqualTo(expected);
        awaitSourceClaimed(s.get("hashlock").asText());
    }

    @Test
    @Order(5)
    void erc20ToDevnetA() throws Exception {
        BigInteger amount = BigInteger.valueOf(25).multiply(BigInteger.TEN.pow(17)); // 2.5 DEV
        BigInteger expected = quote(amount, "0.000000000002"); // 5 stake less 0.3 %
        String bob = cosmos("bob", "devnet-a");
        BigInteger before = balance("devnet-a", "stake", bob);
        BigInteger devBefore = balance(ETH, "DEV", eth("user4"));
        Object[] r = swap("start", "--from", ETH, "--to", "devnet-a", "--amount", "2.5", "--asset", "DEV", "--receiver", bob,
                "--account", "user4", "--claim-account", "carol");
        assertThat((int) r[0]).as((String) r[1]).isZero();
        assertThat((String) r[1]).contains("received " + io.evmore.app.swap.Amounts.format(expected, 6) + " stake");
        assertThat(balance("devnet-a", "stake", bob).subtract(before)).isEqualTo(expected);
        assertThat(devBefore.subtract(balance(ETH, "DEV", eth("user4")))).isEqualTo(amount);
        String hashlock = ((String) r[1]).replaceAll("(?s).*swap ([0-9a-f]{64}):.*", "$1");
        awaitSourceClaimed(hashlock);
        Object[] status = swap("status", hashlock);
        assertThat((int) status[0]).as((String) status[1]).isZero();
        assertThat((String) status[1]).contains("CLAIMED").contains("2.5 DEV");
    }

    @Test
    @Order(6)
    void badInputIsOneLineNamingTheProblemAndMovesNothing() throws Exception {
        String bob = cosmos("bob", "devnet-a");
        BigInteger user6 = balance(ETH, "ETH", eth("user6"));
        BigInteger alice = balance("devnet-a", "stake", cosmos("alice", "devnet-a"));
        long statesBefore;
        try (var files = Files.list(states)) {
            statesBefore = files.count();
        }
        String[][] cases = {
                {"--from eip155:1 --to devnet-a --amount 0.1 --asset ETH --receiver " + bob, "--from: unknown chain 'eip155:1'"},
                {"--from " + ETH + " --to devnet-z --amount 0.1 --asset ETH --receiver " + bob, "--to: unknown chain 'devnet-z'"},
                {"--from " + ETH + " --to devnet-a --amount 0.1 --asset ETH --receiver osmo1notanaddress", "--receiver: 'osmo1notanaddress' is not a valid address on devnet-a"},
                {"--from " + ETH + " --to devnet-a --amount 0,1 --asset ETH --receiver " + bob, "--amount: '0,1' is not an amount"},
                {"--from " + ETH + " --to devnet-a --amount 0.1234567890123456789 --asset ETH --receiver " + bob, "--amount: '0.1234567890123456789' has more than 18 decimal places"},
                {"--from " + ETH + " --to devnet-a --amount 20000 --asset ETH --receiver " + bob, "--amount: insufficient balance"},
                {"--from devnet-a --to " + ETH + " --amount 5000000 --asset stake --receiver " + eth("user2") + " --account alice", "--amount: insufficient balance"},
                {"--from " + ETH + " --to devnet-a --amount 0.1 --asset USDC --receiver " + bob, "--asset: unknown asset 'USDC'"},
                {"--from " + ETH + " --to devnet-a --amount 0.1 --asset ETH", "Missing required option: '--receiver=ADDR'"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("start"));
            args.addAll(List.of(c[0].split(" ")));
            if (!c[0].contains("--account")) args.addAll(List.of("--account", "user6"));
            Object[] r = swap(args.toArray(String[]::new));
            String output = ((String) r[1]).strip();
            assertThat((int) r[0]).as(c[0] + "\n" + output).isEqualTo(2);
            assertThat(output.lines().toList()).as("one line: " + output).hasSize(1);
            assertThat(output).contains(c[1]);
        }
        assertThat(balance(ETH, "ETH", eth("user6"))).as("no funds moved").isEqualTo(user6);
        assertThat(balance("devnet-a", "stake", cosmos("alice", "devnet-a"))).isEqualTo(alice);
        try (var files = Files.list(states)) {
            assertThat(files.count()).as("no swap was started").isEqualTo(statesBefore);
        }
        Object[] r = swap("status", "abc");
        assertThat((int) r[0]).isEqualTo(2);
        assertThat(((String) r[1]).strip()).isEqualTo("swap: HASHLOCK: 'abc' is not a hashlock (64 hex digits)");
    }

    /** The relayer claims the user's source lock with the revealed secret (its record reaches COMPLETED). */
    static void awaitSourceClaimed(String hashlock) throws Exception {
        String token = Files.readString(out.resolve("data/admin.token")).strip();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            var resp = relayer.get("/admin/swaps/" + hashlock, token);
            last = resp.body();
            if (resp.statusCode() == 200 && JSON.readTree(last).get("swap").get("state").asText().equals("COMPLETED")) return;
            Thread.sleep(300);
        }
        throw new AssertionError("swap " + hashlock + " not COMPLETED: " + last + "\n" + relayer.output());
    }
}
