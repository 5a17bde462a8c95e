package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GasPolicyTest {
    final GasPolicy policy = new GasPolicy(GasPolicy.gwei(100), GasPolicy.gwei(2), 2, Duration.ofSeconds(30), 20, 25);

    @Test
    void initialOfferIsTwiceTheBaseFeePlusTipCapped() {
        var f = policy.initial(GasPolicy.gwei(10));
        assertThat(f.maxFeePerGas()).isEqualTo(GasPolicy.gwei(22));
        assertThat(f.maxPriorityFeePerGas()).isEqualTo(GasPolicy.gwei(2));
        assertThat(policy.initial(GasPolicy.gwei(80)).maxFeePerGas()).isEqualTo(GasPolicy.gwei(100));
    }

    @Test
    void escalationRaisesBothFeesByTheBumpAndFollowsTheBaseFee() {
        var f = policy.escalate(new GasPolicy.Fees(GasPolicy.gwei(22), GasPolicy.gwei(2)), GasPolicy.gwei(10));
        assertThat(f.maxPriorityFeePerGas()).isEqualTo(new BigInteger("2400000001"));
        assertThat(f.maxFeePerGas()).isEqualTo(new BigInteger("26400000001"));
        var risen = policy.escalate(new GasPolicy.Fees(GasPolicy.gwei(22), GasPolicy.gwei(2)), GasPolicy.gwei(30));
        assertThat(risen.maxFeePerGas()).isEqualTo(GasPolicy.gwei(60).add(new BigInteger("2400000001")));
    }

    @Test
    void escalationStopsAtTheCap() {
        var nearCap = policy.escalate(new GasPolicy.Fees(GasPolicy.gwei(88), GasPolicy.gwei(2)), GasPolicy.gwei(10));
        assertThat(nearCap.maxFeePerGas()).isEqualTo(GasPolicy.gwei(100));
        assertThat(policy.escalate(new GasPolicy.Fees(GasPolicy.gwei(100), GasPolicy.gwei(2)), GasPolicy.gwei(10))).isNull();
    }

    @Test
    void rejectsBadSettingsNamingTheKey() {
        assertThatThrownBy(() -> new GasPolicy(GasPolicy.gwei(1), GasPolicy.gwei(2), 2, Duration.ofSeconds(1), 20, 25))
                .hasMessageContaining("fees.priorityFee");
        assertThatThrownBy(() -> new GasPolicy(GasPolicy.gwei(10), GasPolicy.gwei(2), 2, Duration.ofSeconds(1), 5, 25))
                .hasMessageContaining("fees.bumpPercent");
    }
}
