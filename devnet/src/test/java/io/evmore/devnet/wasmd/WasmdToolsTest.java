package io.evmore.devnet.wasmd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** Missing real-chain tools fail (never skip) with a message naming the setup script. */
@ResourceLock("system-properties")
class WasmdToolsTest {
    @Test
    void aMissingWasmdBinaryFailsNamingTheSetupScript() {
        String before = System.getProperty("wasmd.bin");
        System.setProperty("wasmd.bin", "/nonexistent/wasmd");
        try {
            assertThatThrownBy(WasmdTools::locate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("/nonexistent/wasmd is missing")
                    .hasMessageContaining("run scripts/wasmd.sh (or ./evmore wasmd-setup)");
        } finally {
            if (before == null) System.clearProperty("wasmd.bin"); else System.setProperty("wasmd.bin", before);
        }
    }

    @Test
    void aWasmThatIsNotTheOneTheReadmeRecordsIsRefused() throws Exception {
        java.nio.file.Path other = java.nio.file.Files.createTempFile("not-the-contract", ".wasm");
        java.nio.file.Path lib = java.nio.file.Files.createTempDirectory("wasmvm");
        java.nio.file.Files.createFile(lib.resolve("libwasmvm.x86_64.so"));
        String before = System.getProperty("wasmd.wasm");
        System.setProperty("wasmd.wasm", other.toString());
        System.setProperty("wasmd.bin", "/bin/sh"); // any executable: this test is about the wasm
        System.setProperty("wasmd.lib", lib.toString());
        try {
            assertThatThrownBy(WasmdTools::locate).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("but contracts/cosmwasm/README.md records")
                    .hasMessageContaining("run scripts/wasmd.sh");
        } finally {
            if (before == null) System.clearProperty("wasmd.wasm"); else System.setProperty("wasmd.wasm", before);
            System.clearProperty("wasmd.bin");
            System.clearProperty("wasmd.lib");
            java.nio.file.Files.deleteIfExists(other);
            java.nio.file.Files.deleteIfExists(lib.resolve("libwasmvm.x86_64.so"));
            java.nio.file.Files.deleteIfExists(lib);
        }
    }

    @Test
    void aMissingPatchedWasmdOrHermesFailsNamingTheSetupScript() {
        System.setProperty("wasmd.ibc.bin", "/nonexistent/wasmd-ibc");
        System.setProperty("hermes.bin", "/nonexistent/hermes");
        try {
            assertThatThrownBy(WasmdTools::locateIbc).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("/nonexistent/wasmd-ibc is missing")
                    .hasMessageContaining("run scripts/wasmd.sh (or ./evmore wasmd-setup)");
            assertThatThrownBy(WasmdTools::hermes).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("hermes binary /nonexistent/hermes is missing")
                    .hasMessageContaining("run scripts/wasmd.sh (or ./evmore wasmd-setup)");
        } finally {
            System.clearProperty("wasmd.ibc.bin");
            System.clearProperty("hermes.bin");
        }
    }
}
