use cosmwasm_schema::{cw_serde, QueryResponses};

use crate::state::Htlc;

#[cw_serde]
pub struct InstantiateMsg {}

#[cw_serde]
pub enum ExecuteMsg {
    /// Locks the single coin sent with the message for `receiver` under `hashlock` until `timelock`.
    CreateHtlc {
        receiver: String,
        /// sha256 of the secret, 64 hex characters (any case; stored lowercase).
        hashlock: String,
        /// Unix seconds; withdraw is allowed strictly before, refund at or after.
        timelock: u64,
        target_chain: String,
        target_address: String,
        /// Who gets the refund; defaults to the sender. Needed for IBC-hooks calls, whose sender is the
        /// hooks intermediary address that nobody controls.
        refund_address: Option<String>,
    },
    /// Pays the receiver if `secret` (64 hex characters) hashes to the hashlock; anyone may call.
    Withdraw { htlc_id: String, secret: String },
    /// Pays the refund address once the timelock has passed; anyone may call.
    Refund { htlc_id: String },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(Htlc)]
    GetHtlc { htlc_id: String },
    #[returns(ListHtlcsResponse)]
    ListHtlcs {
        start_after: Option<String>,
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct ListHtlcsResponse {
    pub htlcs: Vec<Htlc>,
}

#[cw_serde]
pub struct CreateHtlcData {
    pub htlc_id: String,
}
