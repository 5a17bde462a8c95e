package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainId;
import io.evmore.pool.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class EthereumSettingsTest {
    final List<Endpoint> eps = List.of(new Endpoint("infura", "https://mainnet.infura.io/v3/SECRET"));
    final EthereumSettings ok = EthereumSettings.of(ChainId.of("eip155:1"), eps, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

    @Test
    void defaultsAreTheGuidesAndAddressIsNormalised() {
        assertThat(ok.pool().maxConnections()).isEqualTo(50);
        assertThat(ok.pool().minConnections()).isEqualTo(10);
        assertThat(ok.contractAddress()).isEqualTo("0x5fbdb2315678afecb367f032d93f642f64180aa3");
        assertThat(ok.chainIdNumber()).isEqualTo(1);
        assertThat(ok.secretLookbackBlocks()).isEqualTo(50_000);
        assertThat(ok.withSecretLookbackBlocks(7).withConfirmations(3).secretLookbackBlocks()).as("kept by with*").isEqualTo(7);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> EthereumSettings.of(ChainId.of("osmosis-1"), eps, ok.contractAddress()))
                .hasMessageContaining("ethereum.chain");
        assertThatThrownBy(() -> EthereumSettings.of(ChainId.of("eip155:1"), List.of(), ok.contractAddress()))
                .hasMessageContaining("ethereum.endpoints");
        assertThatThrownBy(() -> EthereumSettings.of(ChainId.of("eip155:1"), eps, "0x1234"))
                .hasMessageContaining("ethereum.contractAddress");
        assertThatThrownBy(() -> ok.withConfirmations(0)).hasMessageContaining("ethereum.confirmations");
        assertThatThrownBy(() -> ok.withPolling(java.time.Duration.ofSeconds(1), 0)).hasMessageContaining("ethereum.getLogsMaxRange");
        assertThatThrownBy(() -> ok.withSecretLookbackBlocks(0)).hasMessageContaining("ethereum.secretLookbackBlocks");
    }

    @Test
    void endpointUrlSecretsNeverShow() {
        Endpoint e = eps.get(0);
        assertThat(e.toString()).doesNotContain("SECRET");
        assertThat(e.safeUrl()).isEqualTo("https://mainnet.infura.io");
        assertThat(e.redact("failed to connect to https://mainnet.infura.io/v3/SECRET")).doesNotContain("SECRET");
        assertThat(e.hasCredentials()).isTrue();
    }
}
