package io.evmore.devnet.wasmd;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.devnet.TestAccount;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A port probed free can be taken before the node binds it (seen: `./evmore demo --real` failing with "address
 * already in use" after a 60 s wait). The chain is then started again on other ports.
 */
class WasmdChainPortRetryIT {
    @AfterEach
    void restore() {
        WasmdChain.portSource = key -> WasmdChain.probeFreePort();
    }

    @Test
    void aPortTakenBeforeTheNodeListensStartsTheNodeAgainOnOtherPorts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicBoolean first = new AtomicBoolean(true);
            WasmdChain.portSource = key -> key.equals("rpc.laddr") && first.getAndSet(false) ? taken.getLocalPort() : WasmdChain.probeFreePort();
            try (WasmdChain chain = WasmdChain.start("retry-1", "stake", List.of(TestAccount.deterministic("alice")), BigInteger.TEN.pow(12))) {
                assertThat(first.get()).as("the taken port was handed out").isFalse();
                assertThat(chain.rpcUrl()).doesNotEndWith(":" + taken.getLocalPort());
                assertThat(chain.height()).isPositive();
            }
        }
    }
}
