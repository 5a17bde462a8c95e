package io.evmore.ethereum;

import java.math.BigInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the ITs that share one {@link HardhatChain} (a real Hardhat node with the HTLC deployed) for all the tests
 * of a class: started before the first, closed after the last. Test classes run one after another, so the field is
 * the running class's chain.
 */
abstract class OnHardhatChain {
    /** The amount most tests lock: 10^6 wei. */
    static final BigInteger AMOUNT = BigInteger.valueOf(1_000_000);
    static HardhatChain chain;

    @BeforeAll
    static void startChain() {
        chain = new HardhatChain();
    }

    @AfterAll
    static void closeChain() {
        if (chain != null) chain.close();
        chain = null;
    }
}
