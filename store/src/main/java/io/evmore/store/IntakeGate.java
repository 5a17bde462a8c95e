package io.evmore.store;

import java.time.Instant;

/**
 * The operator's last pause or resume of intake, as the database keeps it ({@code relayer_intake}): whether new swaps
 * are taken, why, when and by whom. It outlives the process, so a restart or a standby's takeover keeps a pause.
 */
public record IntakeGate(boolean paused, String reason, Instant at, String by) {
    public IntakeGate {
        if (reason == null || reason.isBlank()) throw new IllegalArgumentException("an intake pause/resume needs a reason");
        if (at == null) throw new IllegalArgumentException("an intake pause/resume needs a time");
        if (by == null || by.isBlank()) throw new IllegalArgumentException("an intake pause/resume needs who did it");
    }
}
