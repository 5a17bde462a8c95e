package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Event;
import org.web3j.crypto.Hash;

/**
 * The hand-written {@link HtlcAbi} against the ABI the build compiled from {@code EvmoreHtlc.sol}: a changed
 * signature, event field or indexed flag in the contract fails here at once instead of as a confusing IT failure.
 */
class HtlcAbiTest {
    static final JsonNode ABI = EvmoreHtlcArtifact.load(EvmoreHtlcArtifact.RESOURCE).get("abi");

    private static JsonNode entry(String type, String name) {
        for (JsonNode e : ABI) {
            if (type.equals(e.path("type").asText()) && name.equals(e.path("name").asText())) return e;
        }
        throw new AssertionError("compiled ABI has no " + type + " " + name);
    }

    private static String signature(JsonNode e) {
        List<String> types = new ArrayList<>();
        e.get("inputs").forEach(i -> types.add(i.get("type").asText()));
        return e.get("name").asText() + "(" + String.join(",", types) + ")";
    }

    private static String selector(JsonNode e) {
        return Hash.sha3String(signature(e)).substring(0, 10);
    }

    @Test
    void eventTopicsAndIndexedFlagsMatchTheCompiledContract() {
        assertEvent(HtlcAbi.LOCKED, HtlcAbi.LOCKED_TOPIC);
        assertEvent(HtlcAbi.CLAIMED, HtlcAbi.CLAIMED_TOPIC);
        assertEvent(HtlcAbi.REFUNDED, HtlcAbi.REFUNDED_TOPIC);
    }

    private static void assertEvent(Event ours, String topic) {
        JsonNode compiled = entry("event", ours.getName());
        assertThat(topic).as(ours.getName()).isEqualTo(Hash.sha3String(signature(compiled)));
        List<Boolean> indexed = new ArrayList<>();
        compiled.get("inputs").forEach(i -> indexed.add(i.get("indexed").asBoolean()));
        assertThat(ours.getParameters().stream().map(TypeReference::isIndexed).toList()).as(ours.getName() + " indexed")
                .isEqualTo(indexed);
    }

    @Test
    void calldataUsesTheCompiledSelectors() {
        String id = "0x" + "ab".repeat(32);
        Secret secret = Secret.random();
        assertThat(HtlcAbi.lock(HtlcAbi.NATIVE, HtlcAbi.NATIVE, BigInteger.ONE, Hashlock.of(new byte[32]), 1, "a", "b"))
                .startsWith(selector(entry("function", "lock")));
        assertThat(HtlcAbi.claim(id, secret)).startsWith(selector(entry("function", "claim")));
        assertThat(HtlcAbi.refund(id)).startsWith(selector(entry("function", "refund")));
        assertThat(HtlcAbi.getLock(id)).startsWith(selector(entry("function", "getLock")));
    }

    @Test
    void getLockOutputsMatchTheDecoder() {
        List<String> compiled = new ArrayList<>();
        entry("function", "getLock").get("outputs").forEach(o -> compiled.add(o.get("type").asText()));
        // enum Status is uint8 in the ABI
        assertThat(compiled).containsExactly("address", "address", "address", "uint256", "bytes32", "uint256", "uint8");
        // the decoder's types, in order, not only their count: a swapped uint256/bytes32 would misread every lock
        List<String> decoder = new ArrayList<>();
        HtlcAbi.GET_LOCK_OUT.getOutputParameters().forEach(t -> decoder.add(abiName(t)));
        assertThat(decoder).containsExactlyElementsOf(compiled);
    }

    /** The ABI name of a decoder type ("uint256", "bytes32", "address"), from web3j's own type table. */
    @SuppressWarnings("unchecked")
    private static String abiName(org.web3j.abi.TypeReference<?> t) {
        try {
            return org.web3j.abi.datatypes.AbiTypes.getTypeAString(
                    (Class<? extends org.web3j.abi.datatypes.Type>) t.getClassType());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
