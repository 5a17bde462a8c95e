use cosmwasm_std::StdError;
use thiserror::Error;

/// Every text here is part of the agreed interface (shared test vectors compare them): do not reword.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("exactly one coin must be sent, got {0}")]
    WrongFundsCount(usize),

    #[error("amount must be greater than zero")]
    ZeroAmount,

    #[error("invalid receiver address: {0}")]
    InvalidReceiver(String),

    #[error("invalid refund address: {0}")]
    InvalidRefundAddress(String),

    #[error("hashlock must be 64 hex characters (32 bytes)")]
    InvalidHashlock,

    #[error("timelock must be in the future")]
    TimelockNotInFuture,

    #[error("timelock is too far in the future (max {0} seconds ahead)")]
    TimelockTooFar(u64),

    #[error("target_chain must be 1 to 128 bytes, got {0}")]
    InvalidTargetChain(usize),

    #[error("target_address must be 1 to 128 bytes, got {0}")]
    InvalidTargetAddress(usize),

    #[error("htlc {0} not found")]
    NotFound(String),

    #[error("this message does not accept funds")]
    FundsNotAccepted,

    #[error("secret must be 64 hex characters (32 bytes)")]
    InvalidSecret,

    #[error("htlc {id} is not open (it is {state})")]
    NotOpen { id: String, state: String },

    #[error("htlc {0} has expired")]
    Expired(String),

    #[error("secret does not match hashlock")]
    SecretMismatch,

    #[error("htlc {0} has not expired yet")]
    NotExpired(String),

    #[error("invalid start_after: {0}")]
    InvalidStartAfter(String),
}
