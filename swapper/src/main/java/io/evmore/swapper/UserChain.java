package io.evmore.swapper;

import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.swap.Hashlock;
import java.util.List;

/** One chain as a swapper uses it: the HTLC contract with the user's own keys, and a search for locks made out to them. */
public interface UserChain extends AutoCloseable {
    /** The contract, signing with the user's key ({@link HtlcChain#relayerAddress()} is the user's address here). */
    HtlcChain htlc();

    /** The user's address on this chain (the signer's). */
    default String address() {
        return htlc().relayerAddress();
    }

    /** Balance of {@code asset} (token address or denom; {@code 0x0…0} for ETH) held by {@code owner}, base units. */
    java.math.BigInteger balanceOf(String asset, String owner);

    /** Open or settled locks paying {@code receiver} under {@code hashlock}, oldest first. */
    List<HtlcRecord> locksFor(String receiver, Hashlock hashlock);

    @Override
    void close();
}
