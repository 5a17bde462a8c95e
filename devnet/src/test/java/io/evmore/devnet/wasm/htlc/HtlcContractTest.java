package io.evmore.devnet.wasm.htlc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.devnet.wasm.Bech32Addresses;
import io.evmore.devnet.wasm.ContractContext;
import io.evmore.devnet.wasm.ContractError;
import io.evmore.devnet.wasm.ExecuteResult;
import io.evmore.devnet.wasm.InMemoryContractContext;
import io.evmore.devnet.wasm.MessageInfo;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Edge cases of {@link HtlcContract} that the shared vectors do not pin: storage layout, decoding, number ranges. */
class HtlcContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000L;
    private static final byte[] SECRET = new byte[32];
    private static final String SECRET_HEX;
    private static final String HASHLOCK;

    static {
        for (int i = 0; i < 32; i++) {
            SECRET[i] = (byte) (i + 1);
        }
        SECRET_HEX = HexFormat.of().formatHex(SECRET);
        try {
            HASHLOCK = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(SECRET));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HtlcContract contract = new HtlcContract();
    private final String alice = Bech32Addresses.forName("cosmos", "alice");
    private final String bob = Bech32Addresses.forName("cosmos", "bob");
    private InMemoryContractContext ctx;

    @BeforeEach
    void setUp() {
        ctx = new InMemoryContractContext("test-1", "cosmos", Bech32Addresses.contractForLabel("cosmos", "htlc"), T0);
        ctx.mint(alice, "stake", BigInteger.valueOf(1000));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String createJson(String hashlock, String timelock) {
        return "{\"create_htlc\":{\"receiver\":\"" + bob + "\",\"hashlock\":\"" + hashlock + "\",\"timelock\":" + timelock
                + ",\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\"}}";
    }

    /** Funds move to the contract first, as the host does. */
    private ExecuteResult create(long amount) throws ContractError {
        ctx.transfer(alice, ctx.contractAddress(), "stake", BigInteger.valueOf(amount));
        return contract.execute(ctx, funds(alice, amount), json(createJson(HASHLOCK, Long.toString(T0 + 100))));
    }

    private static MessageInfo funds(String sender, long amount) {
        return new MessageInfo(sender, List.of(new MessageInfo.Coin("stake", BigInteger.valueOf(amount))));
    }

    private static MessageInfo noFunds(String sender) {
        return new MessageInfo(sender, List.of());
    }

    @Test
    void storesStateInTheCwStoragePlusLayoutOfTheRustContract() throws Exception {
        ExecuteResult result = create(100);

        assertThat(new String(result.data(), StandardCharsets.UTF_8)).isEqualTo("{\"htlc_id\":\"htlc_1\"}");
        assertThat(ctx.get("htlc_count".getBytes(StandardCharsets.US_ASCII)))
                .hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.US_ASCII)).isEqualTo("1"));
        byte[] key = HexFormat.of().parseHex("0005" + HexFormat.of().formatHex("htlcs".getBytes(StandardCharsets.US_ASCII))
                + "0000000000000001");
        String stored = new String(ctx.get(key).orElseThrow(), StandardCharsets.UTF_8);
        assertThat(stored).isEqualTo("{\"id\":\"htlc_1\",\"sender\":\"" + alice + "\",\"receiver\":\"" + bob
                + "\",\"refund_address\":\"" + alice + "\",\"amount\":\"100\",\"denom\":\"stake\",\"hashlock\":\"" + HASHLOCK
                + "\",\"timelock\":" + (T0 + 100) + ",\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\","
                + "\"state\":\"open\",\"secret\":null,\"created_at\":" + T0 + "}");
        assertThat(ctx.storeSize()).isEqualTo(2);
    }

    @Test
    void queryAnswerKeepsTheAgreedFieldOrder() throws Exception {
        create(100);
        JsonNode answer = contract.query(ctx, json("{\"get_htlc\":{\"htlc_id\":\"htlc_1\"}}"));
        assertThat(answer.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("id", "sender",
                "receiver", "refund_address", "amount", "denom", "hashlock", "timelock", "target_chain", "target_address",
                "state", "secret", "created_at");
    }

    @Test
    void withdrawPaysTheReceiverThroughTheBank() throws Exception {
        create(100);
        ctx.nextBlock(T0 + 10);
        ExecuteResult result = contract.execute(ctx, noFunds(alice),
                json("{\"withdraw\":{\"htlc_id\":\"htlc_1\",\"secret\":\"" + SECRET_HEX.toUpperCase() + "\"}}"));
        assertThat(ctx.balance(bob, "stake")).isEqualTo(BigInteger.valueOf(100));
        assertThat(ctx.balance(ctx.contractAddress(), "stake")).isZero();
        assertThat(result.data()).isNull();
        assertThat(result.attributes().get(result.attributes().size() - 1))
                .isEqualTo(new ExecuteResult.Attribute("secret", SECRET_HEX));
    }

    @Test
    void amountsUpToUint128MaxRoundTripAsDecimalStrings() throws Exception {
        BigInteger max = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
        ctx.mint(ctx.contractAddress(), "big", max);
        contract.execute(ctx, new MessageInfo(alice, List.of(new MessageInfo.Coin("big", max))),
                json(createJson(HASHLOCK, Long.toString(T0 + 100))));
        JsonNode answer = contract.query(ctx, json("{\"get_htlc\":{\"htlc_id\":\"htlc_1\"}}"));
        assertThat(answer.get("amount").textValue()).isEqualTo(max.toString());
    }

    @Test
    void timelockBeyondSignedLongIsTooFarNotADecodingError() {
        assertThatThrownBy(() -> contract.execute(ctx, funds(alice, 1), json(createJson(HASHLOCK, "18446744073709551615"))))
                .isInstanceOf(ContractError.class)
                .hasMessage("timelock is too far in the future (max 2592000 seconds ahead)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "1.5", "1e10", "\"1700000100\"", "18446744073709551616", "null"})
    void timelockMustBeAnUnsigned64BitInteger(String timelock) {
        assertThatThrownBy(() -> contract.execute(ctx, funds(alice, 1), json(createJson(HASHLOCK, timelock))))
                .isInstanceOf(ContractError.class)
                .hasMessageStartingWith("Error parsing");
        assertThat(ctx.storeSize()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "[]", "\"refund\"", "{}", "{\"refund\":{\"htlc_id\":\"htlc_1\"},\"withdraw\":{}}", "{\"burn\":{}}",
        "{\"refund\":{\"htlc_id\":\"htlc_1\",\"extra\":1}}", "{\"refund\":{}}", "{\"refund\":{\"htlc_id\":1}}",
        "{\"refund\":[\"htlc_1\"]}", "{\"withdraw\":{\"htlc_id\":\"htlc_1\"}}"})
    void malformedExecuteMessagesAreDecodingErrors(String msg) {
        assertThatThrownBy(() -> contract.execute(ctx, noFunds(alice), json(msg)))
                .isInstanceOf(ContractError.class)
                .hasMessageStartingWith("Error parsing");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"list_htlcs\":{\"limit\":-1}}", "{\"list_htlcs\":{\"limit\":4294967296}}", "{\"list_htlcs\":{\"limit\":2.5}}",
        "{\"list_htlcs\":{\"start_after\":3}}", "{\"get_htlc\":{}}", "{\"get_htlcs\":{}}", "{\"list_htlcs\":{\"x\":1}}"})
    void malformedQueriesAreDecodingErrors(String msg) {
        assertThatThrownBy(() -> contract.query(ctx, json(msg)))
                .isInstanceOf(ContractError.class)
                .hasMessageStartingWith("Error parsing");
    }

    @Test
    void nullRefundAddressMeansTheSender() throws Exception {
        ctx.transfer(alice, ctx.contractAddress(), "stake", BigInteger.TEN);
        String msg = createJson(HASHLOCK, Long.toString(T0 + 100)).replace("}}", ",\"refund_address\":null}}");
        contract.execute(ctx, funds(alice, 10), json(msg));
        assertThat(contract.query(ctx, json("{\"get_htlc\":{\"htlc_id\":\"htlc_1\"}}")).get("refund_address").textValue())
                .isEqualTo(alice);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0660", "\uff10", "\uff41"}) // Arabic-Indic zero, fullwidth 0, fullwidth a
    void nonAsciiDigitsAreNotHex(String digit) throws Exception {
        assertThatThrownBy(() -> contract.execute(ctx, funds(alice, 1), json(createJson(digit.repeat(64), Long.toString(T0 + 1)))))
                .hasMessage("hashlock must be 64 hex characters (32 bytes)");
        create(100);
        assertThatThrownBy(() -> contract.execute(ctx, noFunds(alice),
                json("{\"withdraw\":{\"htlc_id\":\"htlc_1\",\"secret\":\"" + digit.repeat(64) + "\"}}")))
                .hasMessage("secret must be 64 hex characters (32 bytes)");
    }

    @Test
    void idsOnlyParseInCanonicalForm() {
        assertThat(HtlcContract.parseId("htlc_1")).contains(1L);
        assertThat(HtlcContract.parseId("htlc_18446744073709551615")).contains(-1L); // u64 max, unsigned
        for (String bad : List.of("htlc_", "htlc_0", "htlc_01", "HTLC_1", "1", "htlc_-1", "htlc_+1", "htlc_1 ",
                "htlc_18446744073709551616", "htlc_\u0661")) {
            assertThat(HtlcContract.parseId(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void keysOrderNumericallyBecauseTheIdIsBigEndian() {
        assertThat(java.util.Arrays.compareUnsigned(HtlcContract.htlcKey(9), HtlcContract.htlcKey(10))).isNegative();
        assertThat(java.util.Arrays.compareUnsigned(HtlcContract.htlcKey(255), HtlcContract.htlcKey(256))).isNegative();
    }

    @Test
    void largestIdIsNotFoundRatherThanAnError() {
        assertThatThrownBy(() -> contract.query(ctx, json("{\"get_htlc\":{\"htlc_id\":\"htlc_18446744073709551615\"}}")))
                .hasMessage("htlc htlc_18446744073709551615 not found");
    }

    @Test
    void listIsRightEvenIfTheHostIgnoresStartAfter() throws Exception {
        for (int i = 0; i < 3; i++) {
            create(1);
        }
        // The interface says keys() starts strictly after startAfter; a host reading it differently must not
        // make pages repeat entries.
        ContractContext ignoresStartAfter = (ContractContext) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ContractContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("keys")) {
                        return ctx.keys((byte[]) args[0], null);
                    }
                    return method.invoke(ctx, args);
                });
        JsonNode page = contract.query(ignoresStartAfter, json("{\"list_htlcs\":{\"start_after\":\"htlc_1\"}}"));
        assertThat(page.get("htlcs").findValuesAsText("id")).containsExactly("htlc_2", "htlc_3");
        JsonNode real = contract.query(ctx, json("{\"list_htlcs\":{\"start_after\":\"htlc_1\",\"limit\":1}}"));
        assertThat(real.get("htlcs").findValuesAsText("id")).containsExactly("htlc_2");
    }
}
