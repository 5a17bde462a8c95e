package io.evmore.cosmos.tx;

import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps Cosmos SDK / wasmd result codes (COSMOS_WIRE §4) to the core's two error kinds: retrying can help
 * (sequence race, mempool full, out of gas, node busy) or not (contract error, insufficient funds, bad signature).
 */
public final class CosmosErrors {
    public static final int SEQUENCE_MISMATCH = 32;
    public static final int TX_IN_MEMPOOL_CACHE = 19;
    public static final int MEMPOOL_FULL = 20;
    public static final int OUT_OF_GAS = 11;
    private static final Pattern EXPECTED = Pattern.compile("expected (\\d+), got (\\d+)");

    private CosmosErrors() {}

    public static RelayerException toException(String what, int code, String codespace, String log) {
        String cs = codespace == null || codespace.isEmpty() ? "sdk" : codespace;
        String msg = what + " failed: " + abbreviate(cs, 64) + " code " + code + ": " + abbreviate(log, 500);
        if (cs.equals("sdk")) {
            switch (code) {
                case SEQUENCE_MISMATCH:
                    return new SequenceMismatchException(msg, expectedSequence(log));
                case TX_IN_MEMPOOL_CACHE, MEMPOOL_FULL, OUT_OF_GAS:
                    return new TransientException(msg);
                default:
                    return new PermanentException(msg);
            }
        }
        return new PermanentException(msg);
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
