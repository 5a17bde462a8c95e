package io.evmore.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.evmore.devnet.chain.ChainSpec;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Automatic blocks: halting stops a chain (its RPC still answers), resuming restarts it; time can be advanced. */
class BlockProductionIT {

    @Test
    void haltStopsBlocksResumeRestartsThemAndTimeAdvances() throws Exception {
        try (Devnet devnet = Devnet.builder().chain(new ChainSpec("devnet-x", "cosmos", "stake"))
                .chain(new ChainSpec("devnet-y", "osmo", "uosmo")).blockInterval(Duration.ofMillis(100)).start()) {
            DevnetChain x = devnet.chain("devnet-x");
            DevnetChain y = devnet.chain("devnet-y");
            await().atMost(Duration.ofSeconds(30)).until(() -> x.height() >= 3);
            x.halt(); // returns after any block in production is committed: the height is final now
            long halted = x.height();
            long yBefore = y.height();
            // Time passes for the producer (y makes several blocks) without a fixed sleep; x must stay put.
            await().atMost(Duration.ofSeconds(30)).until(() -> y.height() >= yBefore + 4);
            assertThat(x.height()).isEqualTo(halted);
            RpcClient rpc = new RpcClient(x.rpcUrl());
            assertThat(rpc.result("status", null).at("/sync_info/latest_block_height").asText()).isEqualTo(Long.toString(halted));

            Instant before = x.state().latestBlock().time();
            x.advanceTime(Duration.ofHours(2));
            x.resume();
            await().atMost(Duration.ofSeconds(30)).until(() -> x.height() > halted);
            assertThat(x.state().latestBlock().time()).isAfter(before.plus(Duration.ofHours(2)));
        }
    }
}
