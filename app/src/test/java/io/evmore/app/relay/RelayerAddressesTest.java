package io.evmore.app.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelayerAddressesTest {
    @Test
    void hardhatsFirstDevelopmentKeyGivesItsWellKnownAddress() {
        assertThat(RelayerAddresses.ethereum("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"))
                .isEqualToIgnoringCase("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(RelayerAddresses.ethereum("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"))
                .isEqualToIgnoringCase("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    }
}
