//! Shared cw-multi-test setup for the behaviour tests and the vector runner.
#![allow(dead_code)]

use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Addr, Coin, Empty, Timestamp};
use cw_multi_test::{App, AppBuilder, BasicApp, Contract, ContractWrapper, Executor};
use evmore_htlc::contract::{execute, instantiate, query};
use evmore_htlc::msg::InstantiateMsg;

pub const PREFIX: &str = "cosmos";

pub fn htlc_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query))
}

/// An app whose addresses are valid bech32 with the `cosmos` prefix, so address validation is real.
pub fn new_app(start_time: u64, balances: &[(Addr, Vec<Coin>)]) -> BasicApp {
    let api = MockApi::default().with_prefix(PREFIX);
    let mut app: App<_, MockApi> = AppBuilder::new().with_api(api).build(|router, _api, storage| {
        for (addr, coins) in balances {
            router
                .bank
                .init_balance(storage, addr, coins.clone())
                .expect("initial balance");
        }
    });
    app.update_block(|b| b.time = Timestamp::from_seconds(start_time));
    app
}

pub fn addr(name: &str) -> Addr {
    MockApi::default().with_prefix(PREFIX).addr_make(name)
}

pub fn instantiate_htlc(app: &mut BasicApp) -> Addr {
    let code_id = app.store_code(htlc_contract());
    app.instantiate_contract(code_id, addr("deployer"), &InstantiateMsg {}, &[], "evmore-htlc", None)
        .expect("instantiate")
}

pub fn set_time(app: &mut BasicApp, seconds: u64) {
    app.update_block(|b| {
        b.time = Timestamp::from_seconds(seconds);
        b.height += 1;
    });
}

/// The contract's own error text, without cw-multi-test's context lines.
pub fn error_text(err: &anyhow::Error) -> String {
    err.root_cause().to_string()
}
