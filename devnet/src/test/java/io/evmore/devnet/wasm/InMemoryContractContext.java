package io.evmore.devnet.wasm;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A working {@link ContractContext} for tests: a sorted byte-key store, a bank of balances, block time and
 * height, and strict bech32 address checks for one prefix. {@link #snapshot()}/{@link #restore} give tests the
 * rollback a chain applies to a failed transaction.
 */
public final class InMemoryContractContext implements ContractContext {
    private final String chainId;
    private final String prefix;
    private final String contractAddress;
    private long blockHeight = 1;
    private long blockTimeSeconds;
    private TreeMap<byte[], byte[]> store = new TreeMap<>(Arrays::compareUnsigned);
    private Map<String, Map<String, BigInteger>> balances = new HashMap<>();

    public InMemoryContractContext(String chainId, String prefix, String contractAddress, long blockTimeSeconds) {
        if (!Bech32Addresses.isValid(contractAddress, prefix)) {
            throw new IllegalArgumentException("contract address is not valid bech32 with prefix " + prefix + ": " + contractAddress);
        }
        this.chainId = chainId;
        this.prefix = prefix;
        this.contractAddress = contractAddress;
        this.blockTimeSeconds = blockTimeSeconds;
    }

    /** Moves to the next block at {@code seconds}. */
    public void nextBlock(long seconds) {
        blockHeight++;
        blockTimeSeconds = seconds;
    }

    public String prefix() {
        return prefix;
    }

    @Override
    public String chainId() {
        return chainId;
    }

    @Override
    public long blockHeight() {
        return blockHeight;
    }

    @Override
    public long blockTimeSeconds() {
        return blockTimeSeconds;
    }

    @Override
    public String contractAddress() {
        return contractAddress;
    }

    @Override
    public boolean isValidAddress(String address) {
        return Bech32Addresses.isValid(address, prefix);
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        return Optional.ofNullable(store.get(key)).map(byte[]::clone);
    }

    @Override
    public void set(byte[] key, byte[] value) {
        store.put(key.clone(), value.clone());
    }

    @Override
    public void remove(byte[] key) {
        store.remove(key);
    }

    @Override
    public Iterable<byte[]> keys(byte[] keyPrefix, byte[] startAfter) {
        var tail = startAfter == null ? store.tailMap(keyPrefix, true) : store.tailMap(startAfter, false);
        List<byte[]> out = new ArrayList<>();
        for (byte[] key : tail.keySet()) {
            if (!startsWith(key, keyPrefix)) {
                if (Arrays.compareUnsigned(key, keyPrefix) > 0) {
                    break;
                }
                continue;
            }
            out.add(key.clone());
        }
        return out;
    }

    @Override
    public void bankSend(String to, String denom, BigInteger amount) {
        transfer(contractAddress, to, denom, amount);
    }

    /** Moves coins like the bank module: positive amount, valid recipient, enough balance. */
    public void transfer(String from, String to, String denom, BigInteger amount) {
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("transfer amount must be positive: " + amount + denom);
        }
        if (!isValidAddress(to)) {
            throw new IllegalArgumentException("invalid recipient " + to);
        }
        BigInteger have = balance(from, denom);
        if (have.compareTo(amount) < 0) {
            throw new IllegalStateException("insufficient funds: " + from + " has " + have + denom + ", needs " + amount + denom);
        }
        balances.computeIfAbsent(from, k -> new HashMap<>()).put(denom, have.subtract(amount));
        balances.computeIfAbsent(to, k -> new HashMap<>()).merge(denom, amount, BigInteger::add);
    }

    public void mint(String to, String denom, BigInteger amount) {
        balances.computeIfAbsent(to, k -> new HashMap<>()).merge(denom, amount, BigInteger::add);
    }

    public BigInteger balance(String address, String denom) {
        return balances.getOrDefault(address, Map.of()).getOrDefault(denom, BigInteger.ZERO);
    }

    /** Store and balances as they are now (block info is not part of it). */
    public Snapshot snapshot() {
        TreeMap<byte[], byte[]> storeCopy = new TreeMap<>(Arrays::compareUnsigned);
        storeCopy.putAll(store);
        Map<String, Map<String, BigInteger>> balancesCopy = new HashMap<>();
        balances.forEach((k, v) -> balancesCopy.put(k, new HashMap<>(v)));
        return new Snapshot(storeCopy, balancesCopy);
    }

    public void restore(Snapshot snapshot) {
        TreeMap<byte[], byte[]> storeCopy = new TreeMap<>(Arrays::compareUnsigned);
        storeCopy.putAll(snapshot.store);
        store = storeCopy;
        Map<String, Map<String, BigInteger>> balancesCopy = new HashMap<>();
        snapshot.balances.forEach((k, v) -> balancesCopy.put(k, new HashMap<>(v)));
        balances = balancesCopy;
    }

    /** Number of keys in the store (for tests that check nothing was written). */
    public int storeSize() {
        return store.size();
    }

    public static final class Snapshot {
        private final TreeMap<byte[], byte[]> store;
        private final Map<String, Map<String, BigInteger>> balances;

        private Snapshot(TreeMap<byte[], byte[]> store, Map<String, Map<String, BigInteger>> balances) {
            this.store = store;
            this.balances = balances;
        }
    }

    private static boolean startsWith(byte[] key, byte[] keyPrefix) {
        return key.length >= keyPrefix.length && Arrays.equals(key, 0, keyPrefix.length, keyPrefix, 0, keyPrefix.length);
    }
}
