package io.evmore.devnet.chain;

import java.util.List;

/** ExecTxResult / ResponseCheckTx as CometBFT serialises them. {@code data} null = none. */
public record ExecResult(int code, byte[] data, String log, String info, long gasWanted, long gasUsed,
                         List<Event> events, String codespace) {
    public ExecResult {
        events = List.copyOf(events);
        info = info == null ? "" : info;
        codespace = codespace == null ? "" : codespace;
        log = log == null ? "" : log;
    }

    public static ExecResult error(SdkException e, long gasWanted, long gasUsed, List<Event> events) {
        return new ExecResult(e.code(), null, e.log(), "", gasWanted, gasUsed, events, e.codespace());
    }

    public boolean ok() {
        return code == 0;
    }
}
