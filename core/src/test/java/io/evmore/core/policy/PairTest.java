package io.evmore.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The quote rounds in the relayer's favour and is exact: gross = floor(amount × rate), fee = ceil(gross × bps / 10000). */
class PairTest {
    private static final ChainId ETH = ChainId.of("eip155:1");
    private static final ChainId OSMO = ChainId.of("osmosis-1");

    private static Pair pair(String rate, int bps) {
        return new Pair(ETH, "0x0000000000000000000000000000000000000000", OSMO, "uosmo", new BigDecimal(rate), bps,
                BigInteger.ONE, BigInteger.TEN.pow(40));
    }

    private static Pair.Quote q(String rate, int bps, String amount) {
        return pair(rate, bps).quote(new BigInteger(amount));
    }

    @Example
    void examples() {
        assertThat(q("1", 30, "10000")).isEqualTo(new Pair.Quote("uosmo", BigInteger.valueOf(10_000), BigInteger.valueOf(30), BigInteger.valueOf(9_970)));
        // gross floor(499.5) = 499; fee ceil(1.497) = 2
        assertThat(q("1.5", 30, "333")).isEqualTo(new Pair.Quote("uosmo", BigInteger.valueOf(499), BigInteger.TWO, BigInteger.valueOf(497)));
        // 1 uosmo per 10^12 wei: 1 ETH -> 10^6 uosmo; fee 0.3% exactly
        assertThat(q("0.000000000001", 30, "1000000000000000000")).isEqualTo(
                new Pair.Quote("uosmo", BigInteger.valueOf(1_000_000), BigInteger.valueOf(3_000), BigInteger.valueOf(997_000)));
        // Dust: 999 999 999 999 wei is worth 0.999… uosmo -> gross 0
        assertThat(q("0.000000000001", 30, "999999999999").gross()).isZero();
        // Any fee on a tiny gross costs at least one unit
        assertThat(q("1", 1, "1")).isEqualTo(new Pair.Quote("uosmo", BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO));
        assertThat(q("1", 0, "7")).isEqualTo(new Pair.Quote("uosmo", BigInteger.valueOf(7), BigInteger.ZERO, BigInteger.valueOf(7)));
    }

    @Property(tries = 2_000)
    void quoteIsExactlyAmountTimesRateMinusTheCeiledFee(@ForAll("amounts") BigInteger amount, @ForAll("rates") BigDecimal rate,
            @ForAll @IntRange(min = 0, max = 9_999) int bps) {
        Pair p = new Pair(ETH, "0xa", OSMO, "uosmo", rate, bps, BigInteger.ONE, BigInteger.TEN.pow(40));
        Pair.Quote quote = p.quote(amount);
        // gross = floor(amount × unscaled / 10^scale), computed in integers
        BigInteger unscaled = rate.unscaledValue();
        BigInteger gross = rate.scale() >= 0
                ? amount.multiply(unscaled).divide(BigInteger.TEN.pow(rate.scale()))
                : amount.multiply(unscaled).multiply(BigInteger.TEN.pow(-rate.scale()));
        BigInteger grossBps = gross.multiply(BigInteger.valueOf(bps));
        BigInteger fee = grossBps.add(BigInteger.valueOf(9_999)).divide(BigInteger.valueOf(10_000));
        assertThat(quote.gross()).isEqualTo(gross);
        assertThat(quote.fee()).isEqualTo(fee);
        assertThat(quote.net()).isEqualTo(gross.subtract(fee));
        assertThat(quote.net().add(quote.fee())).isEqualTo(quote.gross());
        assertThat(quote.fee().multiply(BigInteger.valueOf(10_000))).isGreaterThanOrEqualTo(grossBps);
        assertThat(quote.fee().multiply(BigInteger.valueOf(10_000))).isLessThan(grossBps.add(BigInteger.valueOf(10_000)));
        assertThat(quote.net().signum()).isNotNegative();
        assertThat(quote.asset()).isEqualTo("uosmo");
    }

    @Provide
    Arbitrary<BigInteger> amounts() {
        return Arbitraries.oneOf(Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(1_000_000)),
                Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TWO.pow(256).subtract(BigInteger.ONE)));
    }

    @Provide
    Arbitrary<BigDecimal> rates() {
        return Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.TEN.pow(12))
                .flatMap(u -> Arbitraries.integers().between(-3, 24).map(scale -> new BigDecimal(u, scale)));
    }
}
