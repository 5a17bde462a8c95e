package io.evmore.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The label checker ObservabilityIT runs on a relayer that swapped: it must catch each kind of unbounded value. */
class MetricLabelsTest {
    static final String NATIVE = "0x0000000000000000000000000000000000000000";

    @Test
    void boundedLabelsPass() {
        String text = """
                # HELP evmore_inventory_balance x
                evmore_inventory_balance{chain="eip155:31337",asset="%s"} 1.0E21
                evmore_swaps_by_state{state="counter_locked"} 1.0
                evmore_rpc_errors_total{pool="cosmos:devnet-a",endpoint="rpc-0"} 0.0
                evmore_relay_duration_seconds_bucket{le="+Inf"} 3
                """.formatted(NATIVE);
        assertThat(MetricLabels.labels(text)).hasSize(6);
        assertThat(MetricLabels.violations(text, Set.of(NATIVE), List.of())).isEmpty();
    }

    @Test
    void eachKindOfUnboundedValueIsCaught() {
        String h = "ab".repeat(32);
        String text = """
                m_total{swap="eip155:31337/0x%s"} 1
                m_total{hashlock="%s"} 1
                m_total{receiver="0x1234567890abcdef1234567890abcdef12345678"} 1
                m_total{receiver="cosmos1725wz2767e8gfgvdrmngp9zt9qjh3v59ryc8yv"} 1
                m_total{lock="htlc_17"} 1
                m_total{endpoint="https://mainnet.example/v3/key"} 1
                m_total{note="quoted \\" and %s"} 1
                m_total{state="counter_locked"} 1
                """.formatted(h, h, "alice");
        List<String> bad = MetricLabels.violations(text, Set.of(NATIVE), List.of("alice"));
        assertThat(bad).hasSize(7).noneMatch(b -> b.contains("counter_locked"));
    }
}
