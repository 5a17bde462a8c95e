package io.evmore.devnet.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryContractContextTest {
    private final String contract = Bech32Addresses.contractForLabel("cosmos", "c");
    private final String alice = Bech32Addresses.forName("cosmos", "alice");
    private final InMemoryContractContext ctx = new InMemoryContractContext("t-1", "cosmos", contract, 100);

    private static byte[] b(int... bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (byte) bytes[i];
        }
        return out;
    }

    private List<String> keys(byte[] prefix, byte[] startAfter) {
        List<String> out = new ArrayList<>();
        ctx.keys(prefix, startAfter).forEach(k -> out.add(java.util.HexFormat.of().formatHex(k)));
        return out;
    }

    @Test
    void keysAreUnsignedAscendingWithinThePrefixAndStrictlyAfterStart() {
        for (byte[] key : List.of(b(1, 0xff), b(1, 0x01), b(1, 0x80), b(2, 0), b(0, 9), b(1))) {
            ctx.set(key, b(0));
        }
        assertThat(keys(b(1), null)).containsExactly("01", "0101", "0180", "01ff");
        assertThat(keys(b(1), b(1, 0x01))).containsExactly("0180", "01ff");
        assertThat(keys(b(3), null)).isEmpty();
    }

    @Test
    void storeCopiesValuesSoCallersCannotAlterState() {
        byte[] value = b(1, 2);
        ctx.set(b(7), value);
        value[0] = 9;
        ctx.get(b(7)).orElseThrow()[1] = 9;
        assertThat(ctx.get(b(7))).hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2));
    }

    @Test
    void bankSendMovesFromTheContractAndRefusesOverdraftsAndBadRecipients() {
        ctx.mint(contract, "stake", BigInteger.TEN);
        ctx.bankSend(alice, "stake", BigInteger.valueOf(4));
        assertThat(ctx.balance(alice, "stake")).isEqualTo(4);
        assertThat(ctx.balance(contract, "stake")).isEqualTo(6);
        assertThatThrownBy(() -> ctx.bankSend(alice, "stake", BigInteger.valueOf(7))).hasMessageContaining("insufficient funds");
        assertThatThrownBy(() -> ctx.bankSend("nobody", "stake", BigInteger.ONE)).hasMessageContaining("invalid recipient");
        assertThatThrownBy(() -> ctx.bankSend(alice, "stake", BigInteger.ZERO)).hasMessageContaining("positive");
    }

    @Test
    void restoreUndoesStoreAndBalanceChanges() {
        ctx.mint(alice, "stake", BigInteger.TEN);
        ctx.set(b(1), b(1));
        InMemoryContractContext.Snapshot snapshot = ctx.snapshot();
        ctx.transfer(alice, contract, "stake", BigInteger.TEN);
        ctx.set(b(1), b(2));
        ctx.set(b(2), b(2));
        ctx.restore(snapshot);
        assertThat(ctx.balance(alice, "stake")).isEqualTo(10);
        assertThat(ctx.balance(contract, "stake")).isZero();
        assertThat(ctx.get(b(1))).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
        assertThat(ctx.get(b(2))).isEmpty();
    }

    @Test
    void nextBlockAdvancesHeightAndTime() {
        long height = ctx.blockHeight();
        ctx.nextBlock(200);
        assertThat(ctx.blockHeight()).isEqualTo(height + 1);
        assertThat(ctx.blockTimeSeconds()).isEqualTo(200);
    }
}
