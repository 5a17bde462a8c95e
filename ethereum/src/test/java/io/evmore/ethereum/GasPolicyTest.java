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
    void feeLevelStartsAtTheInitialOfferAndRisesByTheBumpPerLevelUpToTheCap() {
        BigInteger base = GasPolicy.gwei(10);
        assertThat(policy.atLevel(base, 0)).isEqualTo(policy.initial(base));
        var one = policy.atLevel(base, 1);
        assertThat(one.maxFeePerGas()).isEqualTo(new BigInteger("26400000001")); // 22 gwei × 1.2 + 1
        assertThat(one.maxPriorityFeePerGas()).isEqualTo(new BigInteger("2400000001"));
        var two = policy.atLevel(base, 2);
        assertThat(two.maxFeePerGas()).isGreaterThan(one.maxFeePerGas());
        assertThat(two.maxPriorityFeePerGas()).isGreaterThan(one.maxPriorityFeePerGas());
        var top = policy.atLevel(base, 40);
        assertThat(top.maxFeePerGas()).isEqualTo(GasPolicy.gwei(100));
        assertThat(top.maxPriorityFeePerGas()).isLessThanOrEqualTo(top.maxFeePerGas());
        assertThatThrownBy(() -> policy.atLevel(base, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replacementBidsAnEighthMoreThanThePendingFeesOrTheLevelWhicheverIsHigher() {
        BigInteger base = GasPolicy.gwei(10);
        var pending = new GasPolicy.Fees(GasPolicy.gwei(22), GasPolicy.gwei(2));
        var r = policy.replacement(pending, base, 0);
        assertThat(r.maxFeePerGas()).isEqualTo(new BigInteger("24750000000")); // 22 × 1.125
        assertThat(r.maxPriorityFeePerGas()).isEqualTo(new BigInteger("2250000000"));
        var noTip = new GasPolicy(GasPolicy.gwei(100), BigInteger.ZERO, 1, Duration.ofSeconds(30), 20, 25);
        var odd = noTip.replacement(new GasPolicy.Fees(BigInteger.valueOf(1001), BigInteger.valueOf(9)), BigInteger.ONE, 0);
        assertThat(odd).as("rounded up").isEqualTo(new GasPolicy.Fees(BigInteger.valueOf(1127), BigInteger.valueOf(11)));
        var level3 = policy.replacement(pending, base, 3);
        assertThat(level3).isEqualTo(policy.atLevel(base, 3));
        var risenBase = policy.replacement(pending, GasPolicy.gwei(40), 0);
        assertThat(risenBase.maxFeePerGas()).as("follows the base fee").isEqualTo(GasPolicy.gwei(82));
    }

    @Test
    void replacementNeverExceedsTheCapAndIsNullWhenTheCapLeavesNoRoom() {
        BigInteger base = GasPolicy.gwei(10);
        var nearCap = policy.replacement(new GasPolicy.Fees(GasPolicy.gwei(90), GasPolicy.gwei(2)), base, 0);
        assertThat(nearCap.maxFeePerGas()).as("capped, still +11 %").isEqualTo(GasPolicy.gwei(100));
        assertThat(policy.replacement(new GasPolicy.Fees(GasPolicy.gwei(95), GasPolicy.gwei(2)), base, 0))
                .as("+5 % only: a node would refuse it").isNull();
        assertThat(policy.replacement(new GasPolicy.Fees(GasPolicy.gwei(100), GasPolicy.gwei(2)), base, 40)).isNull();
        assertThat(policy.replacement(new GasPolicy.Fees(GasPolicy.gwei(60), GasPolicy.gwei(95)), base, 0))
                .as("a tip that cannot rise 10 % under the maximum fee").isNull();
    }

    @Test
    void rejectsBadSettingsNamingTheKey() {
        assertThatThrownBy(() -> new GasPolicy(GasPolicy.gwei(1), GasPolicy.gwei(2), 2, Duration.ofSeconds(1), 20, 25))
                .hasMessageContaining("fees.priorityFee");
        assertThatThrownBy(() -> new GasPolicy(GasPolicy.gwei(10), GasPolicy.gwei(2), 2, Duration.ofSeconds(1), 5, 25))
                .hasMessageContaining("fees.bumpPercent");
    }
}
