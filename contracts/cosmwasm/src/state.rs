use cosmwasm_schema::cw_serde;
use cosmwasm_std::Uint128;
use cw_storage_plus::{Item, Map};

/// Field order is the order of the query JSON (part of the agreed interface).
#[cw_serde]
pub struct Htlc {
    pub id: String,
    pub sender: String,
    pub receiver: String,
    pub refund_address: String,
    pub amount: Uint128,
    pub denom: String,
    /// Lowercase hex.
    pub hashlock: String,
    pub timelock: u64,
    pub target_chain: String,
    pub target_address: String,
    pub state: HtlcState,
    /// Lowercase hex, set on withdraw.
    pub secret: Option<String>,
    /// Block time (unix seconds) of the creation.
    pub created_at: u64,
}

#[cw_serde]
#[derive(Copy)]
pub enum HtlcState {
    Open,
    Withdrawn,
    Refunded,
}

impl HtlcState {
    pub fn as_str(&self) -> &'static str {
        match self {
            HtlcState::Open => "open",
            HtlcState::Withdrawn => "withdrawn",
            HtlcState::Refunded => "refunded",
        }
    }
}

/// Number of HTLCs created so far; the next id is `htlc_<count + 1>`.
pub const HTLC_COUNT: Item<u64> = Item::new("htlc_count");
/// Keyed by the numeric part of the id, so that big-endian keys list in numeric order.
pub const HTLCS: Map<u64, Htlc> = Map::new("htlcs");

pub const ID_PREFIX: &str = "htlc_";

pub fn format_id(n: u64) -> String {
    format!("{ID_PREFIX}{n}")
}

/// The number in `htlc_<n>` (canonical decimal, n >= 1), or None for anything else.
pub fn parse_id(id: &str) -> Option<u64> {
    let digits = id.strip_prefix(ID_PREFIX)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_only_canonical_forms_parse() {
        assert_eq!(parse_id(&format_id(1)), Some(1));
        assert_eq!(parse_id("htlc_42"), Some(42));
        assert_eq!(parse_id("htlc_18446744073709551615"), Some(u64::MAX));
        for bad in ["htlc_", "htlc_0", "htlc_01", "HTLC_1", "1", "htlc_-1", "htlc_+1", "htlc_1 ", "htlc_18446744073709551616"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }
}
