package io.evmore.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainId;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CosmosSettingsTest {
    static final String CONTRACT = "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr";

    CosmosSettings valid() {
        return CosmosSettings.of(ChainId.of("devnet-1"), "cosmos", "stake", List.of("http://127.0.0.1:26657"),
                new BigDecimal("0.025"), CONTRACT);
    }

    @Test
    void defaultsAndValidation() {
        CosmosSettings s = valid();
        assertThat(s.gasMultiplier()).isEqualByComparingTo("1.4");
        assertThat(s.feeDenom()).isEqualTo("stake");
        assertThat(s.confirmations()).isEqualTo(1);
        assertThat(s.hdPath().toString()).isEqualTo("m/44'/118'/0'/0/0");
        assertThatThrownBy(() -> CosmosSettings.of(ChainId.evm(1), "cosmos", "stake", List.of("http://x"),
                BigDecimal.ONE, CONTRACT)).hasMessageContaining("Cosmos chain id");
        assertThatThrownBy(() -> CosmosSettings.of(ChainId.of("c-1"), "Cosmos", "stake", List.of("http://x"),
                BigDecimal.ONE, CONTRACT)).hasMessageContaining("prefix");
        assertThatThrownBy(() -> CosmosSettings.of(ChainId.of("c-1"), "osmo", "stake", List.of("http://x"),
                BigDecimal.ONE, CONTRACT)).hasMessageContaining("expected 'osmo'");
        assertThatThrownBy(() -> CosmosSettings.of(ChainId.of("c-1"), "cosmos", "x", List.of("http://x"),
                BigDecimal.ONE, CONTRACT)).hasMessageContaining("denom");
        assertThatThrownBy(() -> CosmosSettings.of(ChainId.of("c-1"), "cosmos", "stake", List.of(),
                BigDecimal.ONE, CONTRACT)).hasMessageContaining("rpcEndpoints");
        assertThatThrownBy(() -> s.withTimings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessageContaining("pollInterval");
        assertThatThrownBy(() -> CosmosSettings.of(ChainId.of("c-1"), "cosmos", "stake",
                List.of("http://127.0.0.1:1", "ftp://k3y@host/x"), BigDecimal.ONE, CONTRACT))
                .hasMessageContaining("rpcEndpoints[1]").hasMessageNotContaining("k3y");
    }

    @Test
    void theEscalatedGasPriceIsCappedAtTenTimesTheGasPriceUnlessConfigured() {
        CosmosSettings s = CosmosSettings.of(ChainId.of("devnet-1"), "cosmos", "stake", List.of("http://127.0.0.1:1"),
                new BigDecimal("0.025"), CONTRACT);
        assertThat(s.maxGasPrice()).isEqualByComparingTo("0.25");
        assertThat(s.withMaxGasPrice(new BigDecimal("0.1")).maxGasPrice()).isEqualByComparingTo("0.1");
        assertThat(s.withMaxGasPrice(new BigDecimal("0.1")).withTimeoutBlocks(9).maxGasPrice()).isEqualByComparingTo("0.1");
        assertThatThrownBy(() -> s.withMaxGasPrice(new BigDecimal("0.01"))).hasMessageContaining("maxGasPrice");
    }

    @Test
    void toStringHidesWhatAnEndpointUrlMayCarry() {
        CosmosSettings s = CosmosSettings.of(ChainId.of("devnet-1"), "cosmos", "stake",
                List.of("https://user:s3cret@rpc.example.com:443/apikey/abc123?token=t0k"), new BigDecimal("0.025"),
                CONTRACT);
        assertThat(s.toString()).contains("https://rpc.example.com:443").contains("devnet-1")
                .doesNotContain("s3cret").doesNotContain("abc123").doesNotContain("t0k");
    }
}
