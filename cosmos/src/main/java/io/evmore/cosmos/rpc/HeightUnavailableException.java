package io.evmore.cosmos.rpc;

import io.evmore.core.error.TransientException;
import java.util.Locale;

/**
 * An endpoint does not have the height asked for: it pruned the blocks below its earliest height ("height H is not
 * available, lowest height is L"), discarded the ABCI results ("could not find results for height #H"), or is behind
 * ("height H must be less than or equal to the current blockchain height M"). The endpoint's shortcoming, not the
 * request's: transient, so the pool asks another endpoint. The node's text is kept (it is bounded by
 * {@link CometRpcException}).
 */
public final class HeightUnavailableException extends TransientException {
    HeightUnavailableException(String endpoint, CometRpcException e) {
        super(e.getMessage() + " (endpoint '" + endpoint + "')");
    }

    static boolean isOne(CometRpcException e) {
        String t = e.text().toLowerCase(Locale.ROOT);
        return t.contains("is not available, lowest height is") || t.contains("could not find results for height")
                || t.contains("must be less than or equal to the current blockchain height");
    }
}
