-- One schema for SQLite and PostgreSQL: portable types only.
-- Amounts are decimal text (uint256 does not fit BIGINT). Times are always written by the application from its
-- injected clock (no DEFAULT CURRENT_TIMESTAMP): timestamptz on PostgreSQL, epoch milliseconds on SQLite.

CREATE TABLE swaps (
    id              VARCHAR(255) NOT NULL PRIMARY KEY,
    from_chain      VARCHAR(64)  NOT NULL,
    to_chain        VARCHAR(64)  NOT NULL,
    source_htlc_id  VARCHAR(255) NOT NULL,
    dest_htlc_id    VARCHAR(255),
    hashlock        VARCHAR(64)  NOT NULL,
    sender          VARCHAR(255) NOT NULL,
    receiver        VARCHAR(255) NOT NULL,
    source_asset    VARCHAR(255) NOT NULL,
    source_amount   VARCHAR(78)  NOT NULL,
    dest_asset      VARCHAR(255),
    dest_amount     VARCHAR(78),
    source_timelock BIGINT       NOT NULL,
    dest_timelock   BIGINT       NOT NULL,
    status          VARCHAR(32)  NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The operations guide's indexes.
CREATE INDEX idx_swaps_status ON swaps(status);
CREATE INDEX idx_swaps_created_at ON swaps(created_at);
CREATE INDEX idx_swaps_chain ON swaps(from_chain, to_chain);

CREATE INDEX idx_swaps_hashlock ON swaps(hashlock);
-- At most one non-terminal swap per hashlock. The list must match SwapState.isTerminal() (a test checks it).
CREATE UNIQUE INDEX ux_swaps_active_hashlock ON swaps(hashlock)
    WHERE status NOT IN ('COMPLETED', 'REJECTED', 'REFUNDED', 'EXPIRED', 'CLAIM_MISSED');
CREATE UNIQUE INDEX ux_swaps_source_lock ON swaps(from_chain, source_htlc_id);

-- Audit trail; seq orders a swap's rows exactly (timestamps may tie).
-- ON DELETE CASCADE keeps the guide's manual cleanup (DELETE FROM swaps ...) working.
CREATE TABLE swap_transitions (
    swap_id     VARCHAR(255) NOT NULL REFERENCES swaps(id) ON DELETE CASCADE,
    seq         INTEGER      NOT NULL,
    from_status VARCHAR(32),
    to_status   VARCHAR(32)  NOT NULL,
    cause       TEXT         NOT NULL,
    tx_hash     VARCHAR(255),
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (swap_id, seq)
);

CREATE TABLE chain_cursors (
    chain      VARCHAR(64)  NOT NULL PRIMARY KEY,
    height     BIGINT       NOT NULL,
    block_hash VARCHAR(255) NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE tx_intents (
    id         VARCHAR(255) NOT NULL PRIMARY KEY,
    swap_id    VARCHAR(255) REFERENCES swaps(id) ON DELETE CASCADE,
    chain      VARCHAR(64)  NOT NULL,
    action     VARCHAR(64)  NOT NULL,
    nonce      BIGINT       NOT NULL,
    tx_hash    VARCHAR(255),
    status     VARCHAR(16)  NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX idx_tx_intents_chain_status ON tx_intents(chain, status);
CREATE INDEX idx_tx_intents_swap ON tx_intents(swap_id);
