package io.evmore.cosmos.tx;

import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps Cosmos SDK / wasmd result codes (COSMOS_WIRE §4) to the core's error kinds: retrying can help (sequence
 * race, mempool full, out of gas, timeout height, node busy) or not (contract error, insufficient funds, bad
 * signature).
 *
 * <p>A real SDK 0.50 node answers every failed <em>simulation</em> with code 6 codespace {@code sdk}, whatever
 * the cause, and the original error inside the log: {@code rpc error: code = Unknown desc = <error> [<source
 * path>] with gas used: 'N': unknown request}. {@link #simulationFailure} unwraps that and classifies by the inner
 * error's registered description, so a stale sequence in simulation is a {@link SequenceMismatchException} like
 * a code 32 from CheckTx, and a contract error is a {@link TxRevertedException} without a hash.
 */
public final class CosmosErrors {
    public static final int SEQUENCE_MISMATCH = 32;
    public static final int TX_IN_MEMPOOL_CACHE = 19;
    public static final int MEMPOOL_FULL = 20;
    public static final int OUT_OF_GAS = 11;
    public static final int INSUFFICIENT_FUNDS = 5;
    public static final int TX_TIMEOUT_HEIGHT = 30;
    public static final int UNKNOWN_REQUEST = 6;
    private static final Pattern EXPECTED = Pattern.compile("expected (\\d+), got (\\d+)");
    private static final String RPC_PREFIX = "rpc error: code = Unknown desc = ";
    /** " [github.com/…/file.go:123]" — the node's source location, noise in our messages. */
    private static final Pattern SOURCE_PATH = Pattern.compile(" \\[[^\\[\\]]*\\.go:\\d+\\]");
    private static final Pattern GAS_USED_SUFFIX = Pattern.compile(" with gas used: '\\d+': unknown request$");
    /** Registered descriptions (the end of an SDK error's log) of the sdk codes we tell apart. */
    private static final Map<String, Integer> SDK_DESCRIPTIONS = Map.ofEntries(
            Map.entry("incorrect account sequence", SEQUENCE_MISMATCH),
            Map.entry("insufficient funds", INSUFFICIENT_FUNDS),
            Map.entry("out of gas", OUT_OF_GAS),
            Map.entry("tx timeout height", TX_TIMEOUT_HEIGHT),
            Map.entry("mempool is full", MEMPOOL_FULL),
            Map.entry("tx already in mempool", TX_IN_MEMPOOL_CACHE),
            Map.entry("tx parse error", 2),
            Map.entry("unauthorized", 4),
            Map.entry("invalid address", 7),
            Map.entry("invalid pubkey", 8),
            Map.entry("unknown address", 9),
            Map.entry("invalid coins", 10),
            Map.entry("memo too large", 12),
            Map.entry("insufficient fee", 13),
            Map.entry("invalid request", 18),
            Map.entry("invalid gas limit", 41));

    private CosmosErrors() {}

    /** A failure reported by CheckTx ({@code broadcast_tx_sync}): nothing entered the mempool. */
    public static RelayerException toException(String what, int code, String codespace, String log) {
        String cs = codespace == null || codespace.isEmpty() ? "sdk" : codespace;
        String msg = what + " failed: " + abbreviate(cs, 64) + " code " + code + ": " + abbreviate(log, 500);
        if (mentionsSequenceMismatch(log)) return new SequenceMismatchException(msg, expectedSequence(log));
        if (cs.equals("sdk")) {
            switch (code) {
                case SEQUENCE_MISMATCH:
                    return new SequenceMismatchException(msg, expectedSequence(log));
                case TX_IN_MEMPOOL_CACHE, MEMPOOL_FULL, OUT_OF_GAS, TX_TIMEOUT_HEIGHT:
                    return new TransientException(msg);
                default:
                    return new PermanentException(msg);
            }
        }
        return new PermanentException(msg);
    }

    /**
     * A failed simulation: nothing was broadcast. Contract errors and insufficient funds are
     * {@link TxRevertedException}s with no hash (the action would fail); a stale sequence is a
     * {@link SequenceMismatchException}; out of gas / timeout height / unrecognised node trouble are transient;
     * other SDK refusals (malformed request) permanent.
     */
    public static RelayerException simulationFailure(int code, String codespace, String rawLog) {
        String cs = codespace == null || codespace.isEmpty() ? "sdk" : codespace;
        String inner = unwrap(rawLog);
        boolean wrapped = !inner.equals(rawLog == null ? "" : rawLog);
        int effective = code;
        String effectiveSpace = cs;
        if (wrapped || (cs.equals("sdk") && code == UNKNOWN_REQUEST)) {
            // The outer code is the query's (6 sdk); the inner error says what really happened.
            effectiveSpace = inner.endsWith("execute wasm contract failed") ? "wasm" : "sdk";
            effective = effectiveSpace.equals("wasm") ? INSUFFICIENT_FUNDS : innerSdkCode(inner);
        }
        String msg = "simulation failed: " + abbreviate(effectiveSpace, 64)
                + (effective > 0 ? " code " + effective : "") + ": " + abbreviate(inner, 500);
        if (mentionsSequenceMismatch(inner) || (effectiveSpace.equals("sdk") && effective == SEQUENCE_MISMATCH)) {
            return new SequenceMismatchException(msg, expectedSequence(inner));
        }
        if (effectiveSpace.equals("wasm") || inner.contains("execute wasm contract failed")) {
            return new TxRevertedException(null, msg);
        }
        if (effectiveSpace.equals("sdk")) {
            switch (effective) {
                case INSUFFICIENT_FUNDS:
                    return new TxRevertedException(null, msg);
                case TX_IN_MEMPOOL_CACHE, MEMPOOL_FULL, OUT_OF_GAS, TX_TIMEOUT_HEIGHT, -1:
                    return new TransientException(msg);
                default:
                    return new PermanentException(msg);
            }
        }
        return new PermanentException(msg);
    }

    /** The error inside a real node's simulation wrapping (prefix, source path, gas-used suffix stripped). */
    public static String unwrap(String log) {
        if (log == null) return "";
        String s = log;
        if (s.startsWith(RPC_PREFIX)) s = s.substring(RPC_PREFIX.length());
        s = GAS_USED_SUFFIX.matcher(s).replaceFirst("");
        s = SOURCE_PATH.matcher(s).replaceAll("");
        return s;
    }

    /** The sdk code of an unwrapped error by its registered description; -1 when not one we recognise. */
    static int innerSdkCode(String inner) {
        for (var e : SDK_DESCRIPTIONS.entrySet()) {
            if (inner.endsWith(e.getKey())) return e.getValue();
        }
        return -1;
    }

    /** True when the node's text says the signer's sequence was refused, whatever code it came with. */
    public static boolean mentionsSequenceMismatch(String log) {
        return log != null && (log.contains("account sequence mismatch") || log.contains("incorrect account sequence"));
    }

    /** "account sequence mismatch, expected 5, got 4" → 5. */
    public static OptionalLong expectedSequence(String log) {
        if (log == null) return OptionalLong.empty();
        Matcher m = EXPECTED.matcher(log);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** Node-supplied text in our messages: bounded and on one line. */
    static String abbreviate(String s, int max) {
        return io.evmore.cosmos.ChainText.bounded(s, max);
    }
}
