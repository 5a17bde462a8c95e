package io.evmore.devnet.wasm;

import java.math.BigInteger;
import java.util.Optional;

/** What a hosted contract may see and do: block info, its own key-value store, address checks, bank sends. */
public interface ContractContext {
    String chainId();

    long blockHeight();

    /** Block time, unix seconds (what the contract compares timelocks with). */
    long blockTimeSeconds();

    /** This contract's bech32 address. */
    String contractAddress();

    /** True if {@code address} is a valid bech32 account or contract address of this chain's prefix. */
    boolean isValidAddress(String address);

    Optional<byte[]> get(byte[] key);

    void set(byte[] key, byte[] value);

    void remove(byte[] key);

    /** Keys with the given prefix in ascending byte order, starting strictly after {@code startAfter} (null = from the start). */
    Iterable<byte[]> keys(byte[] prefix, byte[] startAfter);

    /** Pays {@code amount} of {@code denom} from the contract's balance to {@code to}. */
    void bankSend(String to, String denom, BigInteger amount);
}
