package io.evmore.cosmos.rpc;

import java.util.List;

/** The execution result of one transaction (ExecTxResult / ResponseCheckTx). */
public record TxExecResult(int code, String codespace, byte[] data, String log, long gasWanted, long gasUsed,
        List<AbciEvent> events) {
    public TxExecResult {
        events = List.copyOf(events);
        data = data == null ? new byte[0] : data;
    }

    public boolean ok() {
        return code == 0;
    }
}
