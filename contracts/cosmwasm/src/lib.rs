//! EVMore HTLC contract: many hash-time-locked native-coin escrows in one contract.
//!
//! The interface (messages, exact error texts, event attributes) is fixed by
//! `contracts/test-vectors/README.md`; the devnet's Java twin implements the same document and both
//! run the shared vectors in `contracts/test-vectors/`.

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;

pub use crate::error::ContractError;
