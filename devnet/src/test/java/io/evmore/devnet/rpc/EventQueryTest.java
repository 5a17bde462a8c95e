package io.evmore.devnet.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.devnet.chain.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventQueryTest {
    static final Map<String, String> FIXED = Map.of("tm.event", "Tx", "tx.hash", "AB", "tx.height", "12");
    static final List<Event> EVENTS = List.of(
            Event.of("transfer", "recipient", "r1", "sender", "s1", "amount", "5stake"),
            Event.of("transfer", "recipient", "r2", "sender", "s2", "amount", "7stake"),
            Event.of("wasm", "_contract_address", "c1", "method", "create_htlc"));

    @Test
    void conditionsOnOneEventTypeMustMatchOneEvent() {
        assertThat(EventQuery.parse("transfer.recipient='r1' AND transfer.sender='s1'").matches(FIXED, EVENTS)).isTrue();
        assertThat(EventQuery.parse("transfer.recipient='r1' AND transfer.sender='s2'").matches(FIXED, EVENTS)).isFalse();
    }

    @Test
    void fixedKeysNumbersContainsAndExists() {
        assertThat(EventQuery.parse("tm.event='Tx' AND tx.height>=12").matches(FIXED, EVENTS)).isTrue();
        assertThat(EventQuery.parse("tx.height>12").matches(FIXED, EVENTS)).isFalse();
        assertThat(EventQuery.parse("tm.event='NewBlock'").matches(FIXED, EVENTS)).isFalse();
        assertThat(EventQuery.parse("wasm.method CONTAINS 'create'").matches(FIXED, EVENTS)).isTrue();
        assertThat(EventQuery.parse("wasm._contract_address EXISTS").matches(FIXED, EVENTS)).isTrue();
        assertThat(EventQuery.parse("ibc_transfer.sender EXISTS").matches(FIXED, EVENTS)).isFalse();
        assertThat(EventQuery.parse("tx.hash='AB'").txHash()).isEqualTo("AB");
    }

    @Test
    void malformedQueriesAreRejectedNamingTheCondition() {
        assertThatThrownBy(() -> EventQuery.parse("transfer.recipient == r1")).hasMessageContaining("transfer.recipient == r1");
        assertThatThrownBy(() -> EventQuery.parse(" ")).hasMessageContaining("empty query");
    }
}
