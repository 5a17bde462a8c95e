package io.evmore.ethereum;

import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.util.Hex;
import java.math.BigInteger;
import java.util.List;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

/** Hand-written ABI of {@code contracts/ethereum/src/EvmoreHtlc.sol} (plus the ERC-20 calls the adapter needs). */
public final class HtlcAbi {
    private HtlcAbi() {}

    public static final String NATIVE = "0x0000000000000000000000000000000000000000";

    public static final Event LOCKED = new Event("Locked", List.of(
            new TypeReference<Bytes32>(true) {}, new TypeReference<Address>(true) {}, new TypeReference<Address>(true) {},
            new TypeReference<Address>() {}, new TypeReference<Uint256>() {}, new TypeReference<Bytes32>() {},
            new TypeReference<Uint256>() {}, new TypeReference<Utf8String>() {}, new TypeReference<Utf8String>() {}));
    public static final Event CLAIMED = new Event("Claimed", List.of(
            new TypeReference<Bytes32>(true) {}, new TypeReference<Bytes32>() {}));
    public static final Event REFUNDED = new Event("Refunded", List.of(new TypeReference<Bytes32>(true) {}));

    public static final String LOCKED_TOPIC = EventEncoder.encode(LOCKED);
    public static final String CLAIMED_TOPIC = EventEncoder.encode(CLAIMED);
    public static final String REFUNDED_TOPIC = EventEncoder.encode(REFUNDED);

    /** An address as an indexed event topic (left-padded to 32 bytes, lower case): a {@code Locked} sender or receiver. */
    static String addressTopic(String address) {
        return "0x" + "0".repeat(24) + address.substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    public static String lock(String receiver, String token, BigInteger amount, Hashlock hashlock, long timelock,
            String targetChain, String targetAddress) {
        return FunctionEncoder.encode(new Function("lock", List.of(new Address(receiver), new Address(token),
                new Uint256(amount), new Bytes32(hashlock.bytes()), new Uint256(timelock), new Utf8String(targetChain),
                new Utf8String(targetAddress)), List.of(new TypeReference<Bytes32>() {})));
    }

    public static String claim(String id, Secret secret) {
        return FunctionEncoder.encode(new Function("claim", List.of(new Bytes32(idBytes(id)), new Bytes32(secret.bytes())),
                List.of()));
    }

    public static String refund(String id) {
        return FunctionEncoder.encode(new Function("refund", List.of(new Bytes32(idBytes(id))), List.of()));
    }

    static final Function GET_LOCK_OUT = new Function("getLock", List.of(), List.of(
            new TypeReference<Address>() {}, new TypeReference<Address>() {}, new TypeReference<Address>() {},
            new TypeReference<Uint256>() {}, new TypeReference<Bytes32>() {}, new TypeReference<Uint256>() {},
            new TypeReference<Uint8>() {}));

    public static String getLock(String id) {
        return FunctionEncoder.encode(new Function("getLock", List.of(new Bytes32(idBytes(id))), List.of()));
    }

    @SuppressWarnings("rawtypes")
    public static List<Type> decodeGetLock(String data) {
        return FunctionReturnDecoder.decode(data, GET_LOCK_OUT.getOutputParameters());
    }

    public static String erc20Approve(String spender, BigInteger amount) {
        return FunctionEncoder.encode(new Function("approve", List.of(new Address(spender), new Uint256(amount)),
                List.of(new TypeReference<Bool>() {})));
    }

    public static String erc20Allowance(String owner, String spender) {
        return FunctionEncoder.encode(new Function("allowance", List.of(new Address(owner), new Address(spender)),
                List.of(new TypeReference<Uint256>() {})));
    }

    public static String erc20BalanceOf(String owner) {
        return FunctionEncoder.encode(new Function("balanceOf", List.of(new Address(owner)),
                List.of(new TypeReference<Uint256>() {})));
    }

    /** Decodes a single uint256 return value (e.g. allowance, balanceOf). */
    public static BigInteger decodeUint(String data) {
        @SuppressWarnings("rawtypes")
        List<Type> out = FunctionReturnDecoder.decode(data, List.of(new TypeReference<Uint256>() {}).stream()
                .map(t -> (TypeReference<Type>) (TypeReference<?>) t).toList());
        if (out.isEmpty()) throw new IllegalArgumentException("empty uint256 return data");
        return (BigInteger) out.get(0).getValue();
    }

    /** HTLC ids are 0x + 64 lowercase hex chars (bytes32). */
    public static byte[] idBytes(String id) {
        if (id == null || !id.matches("0x[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("invalid Ethereum HTLC id '" + id + "': expected 0x followed by 64 hex digits");
        }
        return Hex.decode(id, "HTLC id");
    }

    public static String idHex(byte[] b) {
        return "0x" + Hex.encode(b);
    }
}
