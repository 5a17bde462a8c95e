package io.evmore.app.e2e;

import io.evmore.swapper.Swapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end ITs whose tests each start and stop the relayer themselves on one {@link SwapWorld} (Hardhat,
 * the devnet, the relayer's configuration in a temporary folder) for the whole class. A test that fails must not leave
 * its relayer process running into the next one: it is killed after every test.
 */
abstract class OnSwapWorld {
    @TempDir
    static Path dir;
    static SwapWorld world;
    static final Swapper swapper = new Swapper(line -> {});

    @BeforeAll
    static void startWorld() throws Exception {
        world = SwapWorld.start(dir);
    }

    @AfterEach
    void noRelayerLeftBehind() throws Exception {
        world.killRelayer();
    }

    @AfterAll
    static void closeWorld() {
        if (world != null) world.close();
        world = null;
    }
}
