-- Recovery fields for the relay engine (core commit 3e33d6c). Portable for SQLite and PostgreSQL: one column per
-- ALTER TABLE (SQLite cannot add several at once), NOT NULL only with a constant DEFAULT so that rows written by
-- V1 read back with the record's defaults (height 0 = unknown, timeout 0 = none, NULL = not known yet).

-- Where the user's source lock was included: reorg rollback ("what is above height h on chain c") and
-- confirmation counting use it.
ALTER TABLE swaps ADD COLUMN source_height BIGINT NOT NULL DEFAULT 0;
ALTER TABLE swaps ADD COLUMN source_block_hash VARCHAR(255);
ALTER TABLE swaps ADD COLUMN source_tx_hash VARCHAR(255);
-- The relayer's fee inside the quote, destination base units, decimal text like the other amounts (uint256).
ALTER TABLE swaps ADD COLUMN fee_amount VARCHAR(78);
-- The revealed preimage, 64 lowercase hex characters. Persisted with the reveal so that a crash afterwards never
-- loses the source claim; written once, never cleared by the store.
ALTER TABLE swaps ADD COLUMN secret VARCHAR(64);
-- Why the swap was rejected, or its last transient error; the store truncates it to 1000 characters.
ALTER TABLE swaps ADD COLUMN last_error TEXT;

-- A destination event (withdraw / refund of the relayer's counter-lock) names only its lock id.
CREATE INDEX idx_swaps_dest_htlc ON swaps(to_chain, dest_htlc_id);
-- A reorg on chain c at height h touches the swaps whose source lock is above h.
CREATE INDEX idx_swaps_source_height ON swaps(from_chain, source_height);

-- Every hash ever signed for the intent (fee bumps re-sign the same nonce), oldest first, comma-separated; NULL on
-- V1 rows, which then read back as their one tx_hash. Reconciliation must look for each of them on chain.
ALTER TABLE tx_intents ADD COLUMN hashes TEXT;
-- The latest signed transaction (hex), so reconciliation can re-broadcast the very same bytes.
ALTER TABLE tx_intents ADD COLUMN raw_tx TEXT;
-- Cosmos timeout_height of the signed transaction; 0 = none.
ALTER TABLE tx_intents ADD COLUMN timeout_height BIGINT NOT NULL DEFAULT 0;
