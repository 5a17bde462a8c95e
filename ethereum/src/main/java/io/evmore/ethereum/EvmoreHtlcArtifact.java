package io.evmore.ethereum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The compiled HTLC contract, produced from {@code contracts/ethereum/src/EvmoreHtlc.sol} by the build
 * ({@code compile.js}, pinned solc-js) and packaged at {@value #RESOURCE}. Used to deploy it (devnet, demo, tests).
 */
public final class EvmoreHtlcArtifact {
    public static final String RESOURCE = "/io/evmore/ethereum/contracts/EvmoreHtlc.json";

    private EvmoreHtlcArtifact() {}

    /** Creation bytecode, 0x-prefixed (the constructor takes no arguments). */
    public static String bytecode() {
        return load(RESOURCE).get("bytecode").asText();
    }

    /** Loads a compiled contract JSON ({contractName, abi, bytecode, deployedBytecode, solcVersion}) from the classpath. */
    public static JsonNode load(String resource) {
        try (InputStream in = EvmoreHtlcArtifact.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath: the ethereum module build compiles it"
                        + " (needs node and `cd tools/node && npm ci`)");
            }
            JsonNode n = new ObjectMapper().readTree(in);
            if (!n.path("bytecode").asText().startsWith("0x6")) {
                throw new IllegalStateException(resource + " has no creation bytecode");
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
