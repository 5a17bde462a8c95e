-- Fund safety (issue 17). Portable for SQLite and PostgreSQL.

-- A hashlock is taken only by the swap that holds it: accepted for a counter-lock, or with a counter-lock of the
-- relayer's that exists or may exist (SwapState.holdsHashlock(); a test checks the list). Before, every non-terminal
-- swap took it and every swap counted at validation, so anyone who copied a pending lock's hashlock into a bad lock
-- (rejected at once) got the victim's good lock rejected too. Swaps still waiting for confirmations, or that ended
-- without a live counter-lock, no longer block one another; the first to be accepted holds the hashlock.
DROP INDEX ux_swaps_active_hashlock;
CREATE UNIQUE INDEX ux_swaps_hashlock_holder ON swaps(hashlock)
    WHERE status IN ('CONFIRMED', 'COUNTER_PENDING', 'COUNTER_LOCKED', 'SECRET_REVEALED', 'SOURCE_CLAIM_PENDING', 'SOURCE_CLAIMED', 'DEST_REFUND_PENDING');

-- Height of the destination block that holds the relayer's counter-lock HTLC (0 = unknown): where a search for its
-- claim log, and the secret it reveals, starts when the claim event was missed.
ALTER TABLE swaps ADD COLUMN dest_height BIGINT NOT NULL DEFAULT 0;
