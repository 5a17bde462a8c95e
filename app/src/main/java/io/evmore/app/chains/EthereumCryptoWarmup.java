package io.evmore.app.chains;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up only: the relay wiring's first Ethereum key ({@code Credentials.create}) initialises web3j's {@code Keys},
 * which sets up the BouncyCastle provider: ~0.3 s of named-curve precomputation on a loaded 2-core machine, the largest
 * single item of the start's profile, on the start's critical path after the database. {@link #begin()} initialises it
 * on a background thread instead, while the lease, the pools, HTTP and the database start (a class is initialised once;
 * the wiring waits for it if it is not done yet). Nothing is signed or derived here.
 */
public final class EthereumCryptoWarmup {
    private static final Logger log = LoggerFactory.getLogger(EthereumCryptoWarmup.class);

    private EthereumCryptoWarmup() {
    }

    public static void begin() {
        Thread.ofPlatform().daemon().name("start-crypto-init").start(() -> {
            try {
                Class.forName("org.web3j.crypto.Keys", true, EthereumCryptoWarmup.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                log.debug("start-up: web3j Keys not initialised ahead ({}); the relay wiring does it", e.toString());
            }
        });
    }
}
