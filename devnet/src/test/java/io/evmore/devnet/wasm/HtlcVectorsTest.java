package io.evmore.devnet.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.evmore.devnet.wasm.htlc.HtlcContract;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every shared vector in {@code contracts/test-vectors/} against {@link HtlcContract}, with the same rules
 * as the Rust runner ({@code contracts/cosmwasm/tests/vectors.rs}); the rules are in that folder's README.
 */
class HtlcVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "cosmos";
    /**
     * The number of {@code *.json} files in {@code contracts/test-vectors/}: a runner that finds fewer (a deleted or
     * renamed vector, a wrong folder) fails, and so does a new vector until it is counted here and in the Rust runner.
     */
    private static final int VECTOR_COUNT = 30;

    static Path vectorsDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("contracts/test-vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("contracts/test-vectors not found above " + Path.of("").toAbsolutePath());
    }

    static List<Path> vectorFiles() throws IOException {
        try (Stream<Path> files = Files.list(vectorsDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void findsTheSharedVectors() throws IOException {
        assertThat(vectorFiles()).as("vectors in " + vectorsDir() + " (update VECTOR_COUNT here and in vectors.rs when"
                + " adding one)").hasSize(VECTOR_COUNT);
    }

    @TestFactory
    Stream<DynamicTest> everySharedVectorPasses() throws IOException {
        return vectorFiles().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
                () -> new Runner(JSON.readTree(file.toFile())).run()));
    }

    /** A deliberately wrong expectation must be reported: the runner itself can fail. */
    @Test
    void runnerReportsWrongExpectations() throws IOException {
        JsonNode wrongError = JSON.readTree("""
                {"name":"wrong","accounts":{"alice":[]},"start_time":1700000000,
                 "steps":[{"query":{"get_htlc":{"htlc_id":"htlc_1"}},"expect":{"error":"htlc htlc_2 not found"}}]}""");
        assertThatThrownBy(() -> new Runner(wrongError).run()).hasMessageContaining("htlc htlc_1 not found");
        JsonNode wrongBalance = JSON.readTree("""
                {"name":"wrong_balance","accounts":{"alice":[{"denom":"stake","amount":"5"}]},"start_time":1700000000,
                 "steps":[{"query":{"list_htlcs":{}},"expect":{"response":{"htlcs":[]}}},
                          {"execute":{"sender":"alice","msg":{"refund":{"htlc_id":"htlc_1"}}},
                           "expect":{"error":"htlc htlc_1 not found","balances":{"alice":[{"denom":"stake","amount":"6"}]}}}]}""");
        assertThatThrownBy(() -> new Runner(wrongBalance).run()).hasMessageContaining("step 1");
        JsonNode typo = JSON.readTree("""
                {"name":"typo","accounts":{"alice":[]},"start_time":1700000000,
                 "steps":[{"query":{"list_htlcs":{}},"expect":{"respons":{"htlcs":[]}}}]}""");
        assertThatThrownBy(() -> new Runner(typo).run()).hasMessageContaining("respons");
    }

    static final class VectorFailure extends AssertionError {
        VectorFailure(String message) {
            super(message);
        }
    }

    private record Outcome(String error, byte[] data, List<ExecuteResult.Attribute> attributes) {}

    static final class Runner {
        private final JsonNode vector;
        private final HtlcContract contract = new HtlcContract();
        private final Map<String, String> accounts = new LinkedHashMap<>();
        private InMemoryContractContext ctx;
        private long time;

        Runner(JsonNode vector) {
            this.vector = vector;
        }

        void run() {
            checkKeys(vector, Set.of("name", "description", "accounts", "start_time", "steps"), "vector");
            JsonNode startTime = vector.get("start_time");
            if (startTime == null || !startTime.canConvertToLong() || startTime.longValue() < 0) {
                throw new VectorFailure("start_time must be a u64");
            }
            time = startTime.longValue();
            ctx = new InMemoryContractContext("vectors-1", PREFIX, Bech32Addresses.contractForLabel(PREFIX, "evmore-htlc"), time);
            JsonNode accountsNode = object(vector.get("accounts"), "accounts");
            for (Map.Entry<String, JsonNode> account : accountsNode.properties()) {
                String address = Bech32Addresses.forName(PREFIX, account.getKey());
                accounts.put(account.getKey(), address);
                for (Coin coin : coins(account.getValue())) {
                    ctx.mint(address, coin.denom, coin.amount);
                }
            }
            JsonNode steps = vector.get("steps");
            if (steps == null || !steps.isArray()) {
                throw new VectorFailure("steps must be an array");
            }
            for (int i = 0; i < steps.size(); i++) {
                try {
                    step(steps.get(i));
                } catch (VectorFailure | ContractError e) {
                    throw new VectorFailure(vector.path("name").asText() + " step " + i + ": " + e.getMessage());
                }
            }
        }

        private void step(JsonNode step) throws ContractError {
            checkKeys(step, Set.of("time", "execute", "query", "expect", "comment"), "step");
            if (step.has("time")) {
                long t = step.get("time").longValue();
                if (!step.get("time").canConvertToLong() || t < time) {
                    throw new VectorFailure("time must be a u64 that never goes back, got " + step.get("time"));
                }
                time = t;
                ctx.nextBlock(t);
            }
            JsonNode expect = object(step.get("expect"), "expect");
            if (step.has("execute") == step.has("query")) {
                throw new VectorFailure("a step has exactly one of execute and query");
            }
            if (step.has("execute")) {
                execute(object(step.get("execute"), "execute"), expect);
            } else {
                query(step.get("query"), expect);
            }
        }

        private void execute(JsonNode exec, JsonNode expect) {
            checkKeys(expect, Set.of("error", "data", "attributes", "balances"), "execute expect");
            checkKeys(exec, Set.of("sender", "msg", "funds"), "execute");
            String senderName = exec.path("sender").asText(null);
            String sender = accounts.get(senderName);
            if (sender == null) {
                throw new VectorFailure("unknown account " + senderName);
            }
            JsonNode msg = substitute(exec.get("msg"));
            List<Coin> funds = exec.has("funds") ? coins(exec.get("funds")) : List.of();
            boolean zeroFunds = funds.stream().anyMatch(c -> c.amount.signum() == 0);
            if (zeroFunds && !expect.has("error")) {
                throw new VectorFailure("a step with a zero coin in funds may only expect an error");
            }
            Outcome outcome = zeroFunds ? executeZeroFunds(sender, msg, funds) : executeTx(sender, msg, funds);

            if (expect.has("error")) {
                String want = expect.get("error").asText();
                if (outcome.error == null) {
                    throw new VectorFailure("expected error " + want + ", but the execute succeeded");
                }
                if (!want.equals(outcome.error)) {
                    throw new VectorFailure("expected error \"" + want + "\", got error \"" + outcome.error + "\"");
                }
            } else {
                if (outcome.error != null) {
                    throw new VectorFailure("expected success, got error \"" + outcome.error + "\"");
                }
                if (expect.has("data")) {
                    JsonNode want = substitute(expect.get("data"));
                    JsonNode got = outcome.data == null ? JsonNodeFactory.instance.nullNode() : readJson(outcome.data);
                    if (!want.equals(got)) {
                        throw new VectorFailure("data: expected " + want + ", got " + got);
                    }
                }
                if (expect.has("attributes")) {
                    JsonNode want = substitute(expect.get("attributes"));
                    ArrayNode got = JsonNodeFactory.instance.arrayNode();
                    for (ExecuteResult.Attribute a : outcome.attributes) {
                        got.add(JsonNodeFactory.instance.arrayNode().add(a.key()).add(a.value()));
                    }
                    if (!want.equals(got)) {
                        throw new VectorFailure("attributes: expected " + want + ", got " + got);
                    }
                }
            }
            if (expect.has("balances")) {
                checkBalances(expect.get("balances"));
            }
        }

        /** Like a chain: funds move to the contract first, and a contract error rolls everything back. */
        private Outcome executeTx(String sender, JsonNode msg, List<Coin> funds) {
            InMemoryContractContext.Snapshot before = ctx.snapshot();
            for (Coin coin : funds) {
                ctx.transfer(sender, ctx.contractAddress(), coin.denom, coin.amount);
            }
            try {
                ExecuteResult result = contract.execute(ctx, info(sender, funds), msg);
                return new Outcome(null, result.data(), result.attributes());
            } catch (ContractError e) {
                ctx.restore(before);
                return new Outcome(e.getMessage(), null, List.of());
            }
        }

        /** A zero coin never reaches a contract on a chain; the contract is called without a transfer and rolled back. */
        private Outcome executeZeroFunds(String sender, JsonNode msg, List<Coin> funds) {
            InMemoryContractContext.Snapshot before = ctx.snapshot();
            try {
                ExecuteResult result = contract.execute(ctx, info(sender, funds), msg);
                return new Outcome(null, result.data(), result.attributes());
            } catch (ContractError e) {
                return new Outcome(e.getMessage(), null, List.of());
            } finally {
                ctx.restore(before);
            }
        }

        private void query(JsonNode query, JsonNode expect) {
            checkKeys(expect, Set.of("error", "response"), "query expect");
            if (expect.has("error") == expect.has("response")) {
                throw new VectorFailure("a query expects exactly one of error and response");
            }
            JsonNode got;
            try {
                // Through bytes, as on a chain: also makes number node types comparable with the parsed vector.
                got = readJson(writeJson(contract.query(ctx, substitute(query))));
            } catch (ContractError e) {
                if (expect.has("response")) {
                    throw new VectorFailure("expected a response, got error \"" + e.getMessage() + "\"");
                }
                String want = expect.get("error").asText();
                if (!want.equals(e.getMessage())) {
                    throw new VectorFailure("expected error \"" + want + "\", got error \"" + e.getMessage() + "\"");
                }
                return;
            }
            if (expect.has("error")) {
                throw new VectorFailure("expected error " + expect.get("error").asText() + ", got response " + got);
            }
            JsonNode want = substitute(expect.get("response"));
            if (!want.equals(got)) {
                throw new VectorFailure("response: expected " + want + ", got " + got);
            }
        }

        private void checkBalances(JsonNode want) {
            for (Map.Entry<String, JsonNode> holder : object(want, "balances").properties()) {
                String address = holder.getKey().equals("{contract}") ? ctx.contractAddress() : accounts.get(holder.getKey());
                if (address == null) {
                    throw new VectorFailure("unknown balance holder " + holder.getKey());
                }
                for (Coin coin : coins(holder.getValue())) {
                    BigInteger got = ctx.balance(address, coin.denom);
                    if (!got.equals(coin.amount)) {
                        throw new VectorFailure("balance of " + holder.getKey() + " in " + coin.denom + ": expected "
                                + coin.amount + ", got " + got);
                    }
                }
            }
        }

        /** Replaces {name} by account addresses and {contract} by the contract address in every string value. */
        private JsonNode substitute(JsonNode node) {
            if (node == null) {
                throw new VectorFailure("missing value");
            }
            if (node.isTextual()) {
                String s = node.textValue().replace("{contract}", ctx.contractAddress());
                for (Map.Entry<String, String> account : accounts.entrySet()) {
                    s = s.replace("{" + account.getKey() + "}", account.getValue());
                }
                return TextNode.valueOf(s);
            }
            if (node.isArray()) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                node.forEach(item -> out.add(substitute(item)));
                return out;
            }
            if (node.isObject()) {
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                node.properties().forEach(e -> out.set(e.getKey(), substitute(e.getValue())));
                return out;
            }
            return node;
        }

        private static MessageInfo info(String sender, List<Coin> funds) {
            List<MessageInfo.Coin> coins = new ArrayList<>();
            funds.forEach(c -> coins.add(new MessageInfo.Coin(c.denom, c.amount)));
            return new MessageInfo(sender, coins);
        }
    }

    private record Coin(String denom, BigInteger amount) {}

    private static List<Coin> coins(JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new VectorFailure("coins must be an array");
        }
        List<Coin> out = new ArrayList<>();
        for (JsonNode c : node) {
            checkKeys(c, Set.of("denom", "amount"), "coin");
            if (!c.path("denom").isTextual() || !c.path("amount").isTextual()
                    || !c.get("amount").textValue().matches("[0-9]+")) {
                throw new VectorFailure("coin must be {denom: string, amount: decimal string}: " + c);
            }
            out.add(new Coin(c.get("denom").textValue(), new BigInteger(c.get("amount").textValue())));
        }
        return out;
    }

    private static JsonNode object(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw new VectorFailure(what + " must be an object");
        }
        return node;
    }

    /** Rejects unknown keys so that a typo in a vector cannot silently skip a check. */
    private static void checkKeys(JsonNode node, Set<String> allowed, String what) {
        object(node, what);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw new VectorFailure("unknown key \"" + key + "\" in " + what);
            }
        }
    }

    private static JsonNode readJson(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new VectorFailure("not JSON: " + e.getMessage());
        }
    }

    private static byte[] writeJson(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
