-- Multi-hop swaps (SPEC §3 step 3): the counter-lock is an ICS-20 transfer from the home chain. Its packet
-- ("<home chain>:<source channel>/<sequence>") is stored on the swap when the transfer is included, so that the
-- acknowledgement or timeout the home chain's follower reports finds its swap, also after a restart. NULL for
-- direct swaps and before the transfer is included.
ALTER TABLE swaps ADD COLUMN counter_packet VARCHAR(255);
CREATE INDEX idx_swaps_counter_packet ON swaps(counter_packet);
