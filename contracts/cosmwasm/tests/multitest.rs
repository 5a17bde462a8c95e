//! Behaviour tests in cw-multi-test: the contract with a real bank, bech32 address validation and
//! transactional rollback. The shared vectors (tests/vectors.rs) cover the exact texts in more cases.

mod common;

use common::*;
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{
    coins, from_json, to_json_binary, to_json_vec, Addr, Api, CanonicalAddr, Coin, ContractResult, Empty,
    QueryRequest, SystemResult, Uint128, WasmQuery,
};
use cw_multi_test::{AppResponse, BasicApp, Executor};
use evmore_htlc::msg::{CreateHtlcData, ExecuteMsg, ListHtlcsResponse, QueryMsg};
use evmore_htlc::state::{Htlc, HtlcState};
use sha2::{Digest, Sha256};

const T0: u64 = 1_700_000_000;
const SECRET: [u8; 32] = [7u8; 32];

fn hashlock() -> String {
    hex::encode(Sha256::digest(SECRET))
}

fn create_msg(receiver: &Addr, timelock: u64, refund_address: Option<&Addr>) -> ExecuteMsg {
    ExecuteMsg::CreateHtlc {
        receiver: receiver.to_string(),
        hashlock: hashlock(),
        timelock,
        target_chain: "eip155:1".into(),
        target_address: "0x00000000000000000000000000000000000000aa".into(),
        refund_address: refund_address.map(Addr::to_string),
    }
}

fn setup() -> (BasicApp, Addr) {
    let mut app = new_app(T0, &[(addr("alice"), coins(1000, "stake")), (addr("carol"), coins(10, "stake"))]);
    let contract = instantiate_htlc(&mut app);
    (app, contract)
}

fn create(app: &mut BasicApp, contract: &Addr, sender: &Addr, msg: &ExecuteMsg, amount: u128) -> AppResponse {
    app.execute_contract(sender.clone(), contract.clone(), msg, &coins(amount, "stake"))
        .expect("create_htlc")
}

fn get(app: &BasicApp, contract: &Addr, id: &str) -> Htlc {
    app.wrap()
        .query_wasm_smart(contract, &QueryMsg::GetHtlc { htlc_id: id.into() })
        .expect("get_htlc")
}

fn balance(app: &BasicApp, who: &Addr) -> u128 {
    app.wrap().query_balance(who, "stake").unwrap().amount.u128()
}

fn wasm_attrs(res: &AppResponse) -> Vec<(String, String)> {
    let wasm: Vec<_> = res.events.iter().filter(|e| e.ty == "wasm").collect();
    assert_eq!(wasm.len(), 1, "one wasm event: {:?}", res.events);
    wasm[0].attributes.iter().map(|a| (a.key.clone(), a.value.clone())).collect()
}

#[test]
fn create_locks_the_coin_and_is_readable() {
    let (mut app, contract) = setup();
    let (alice, bob) = (addr("alice"), addr("bob"));
    let res = create(&mut app, &contract, &alice, &create_msg(&bob, T0 + 100, None), 100);

    let data: CreateHtlcData = from_json(res.data.expect("data")).unwrap();
    assert_eq!(data.htlc_id, "htlc_1");
    assert_eq!(balance(&app, &alice), 900);
    assert_eq!(balance(&app, &contract), 100);

    let htlc = get(&app, &contract, "htlc_1");
    assert_eq!(
        htlc,
        Htlc {
            id: "htlc_1".into(),
            sender: alice.to_string(),
            receiver: bob.to_string(),
            refund_address: alice.to_string(),
            amount: Uint128::new(100),
            denom: "stake".into(),
            hashlock: hashlock(),
            timelock: T0 + 100,
            target_chain: "eip155:1".into(),
            target_address: "0x00000000000000000000000000000000000000aa".into(),
            state: HtlcState::Open,
            secret: None,
            created_at: T0,
        }
    );
    let list: ListHtlcsResponse = app
        .wrap()
        .query_wasm_smart(&contract, &QueryMsg::ListHtlcs { start_after: None, limit: None })
        .unwrap();
    assert_eq!(list.htlcs, vec![htlc]);
}

#[test]
fn query_json_has_the_agreed_field_order_and_null_secret() {
    let (mut app, contract) = setup();
    create(&mut app, &contract, &addr("alice"), &create_msg(&addr("bob"), T0 + 100, None), 100);
    let raw = app
        .wrap()
        .query_wasm_smart::<serde_json::Value>(&contract, &QueryMsg::GetHtlc { htlc_id: "htlc_1".into() })
        .unwrap();
    // serde_json's Value sorts keys, so check the order on the raw bytes the contract answers with.
    let request: QueryRequest<Empty> = QueryRequest::Wasm(WasmQuery::Smart {
        contract_addr: contract.to_string(),
        msg: to_json_binary(&QueryMsg::GetHtlc { htlc_id: "htlc_1".into() }).unwrap(),
    });
    let answer = app.wrap().raw_query(&to_json_vec(&request).unwrap());
    let bytes = match answer {
        SystemResult::Ok(ContractResult::Ok(bytes)) => bytes,
        other => panic!("query failed: {other:?}"),
    };
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let keys = [
        "\"id\"", "\"sender\"", "\"receiver\"", "\"refund_address\"", "\"amount\"", "\"denom\"", "\"hashlock\"",
        "\"timelock\"", "\"target_chain\"", "\"target_address\"", "\"state\"", "\"secret\"", "\"created_at\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "field order in {text}");
    assert_eq!(raw["secret"], serde_json::Value::Null);
    assert_eq!(raw["amount"], "100");
    assert_eq!(raw["timelock"], T0 + 100);
    assert_eq!(raw["state"], "open");
}

#[test]
fn withdraw_pays_receiver_and_reveals_secret() {
    let (mut app, contract) = setup();
    let (alice, bob, carol) = (addr("alice"), addr("bob"), addr("carol"));
    create(&mut app, &contract, &alice, &create_msg(&bob, T0 + 100, None), 100);
    set_time(&mut app, T0 + 99);
    // A third party submits the secret; the receiver is paid all the same.
    let res = app
        .execute_contract(
            carol.clone(),
            contract.clone(),
            &ExecuteMsg::Withdraw { htlc_id: "htlc_1".into(), secret: hex::encode_upper(SECRET) },
            &[],
        )
        .unwrap();
    assert_eq!(balance(&app, &bob), 100);
    assert_eq!(balance(&app, &carol), 10);
    assert_eq!(balance(&app, &contract), 0);
    let attrs = wasm_attrs(&res);
    assert_eq!(attrs[0].0, "_contract_address");
    let expected: Vec<(String, String)> = [
        ("method", "withdraw".to_string()),
        ("htlc_id", "htlc_1".into()),
        ("sender", alice.to_string()),
        ("receiver", bob.to_string()),
        ("amount", "100".into()),
        ("denom", "stake".into()),
        ("hashlock", hashlock()),
        ("timelock", (T0 + 100).to_string()),
        ("secret", hex::encode(SECRET)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(attrs[1..].to_vec(), expected);
    let htlc = get(&app, &contract, "htlc_1");
    assert_eq!(htlc.state, HtlcState::Withdrawn);
    assert_eq!(htlc.secret, Some(hex::encode(SECRET)));
}

#[test]
fn timelock_boundary_withdraw_before_refund_at() {
    let (mut app, contract) = setup();
    let (alice, bob) = (addr("alice"), addr("bob"));
    create(&mut app, &contract, &alice, &create_msg(&bob, T0 + 100, None), 100);
    set_time(&mut app, T0 + 99);
    let err = app
        .execute_contract(bob.clone(), contract.clone(), &ExecuteMsg::Refund { htlc_id: "htlc_1".into() }, &[])
        .unwrap_err();
    assert_eq!(error_text(&err), "htlc htlc_1 has not expired yet");
    set_time(&mut app, T0 + 100);
    let withdraw = ExecuteMsg::Withdraw { htlc_id: "htlc_1".into(), secret: hex::encode(SECRET) };
    let err = app.execute_contract(bob.clone(), contract.clone(), &withdraw, &[]).unwrap_err();
    assert_eq!(error_text(&err), "htlc htlc_1 has expired");
    app.execute_contract(bob.clone(), contract.clone(), &ExecuteMsg::Refund { htlc_id: "htlc_1".into() }, &[])
        .unwrap();
    assert_eq!(balance(&app, &alice), 1000);
    assert_eq!(balance(&app, &bob), 0);
    assert_eq!(get(&app, &contract, "htlc_1").state, HtlcState::Refunded);
}

#[test]
fn wrong_secret_is_refused_and_changes_nothing() {
    let (mut app, contract) = setup();
    create(&mut app, &contract, &addr("alice"), &create_msg(&addr("bob"), T0 + 100, None), 100);
    let err = app
        .execute_contract(
            addr("bob"),
            contract.clone(),
            &ExecuteMsg::Withdraw { htlc_id: "htlc_1".into(), secret: hex::encode([8u8; 32]) },
            &[],
        )
        .unwrap_err();
    assert_eq!(error_text(&err), "secret does not match hashlock");
    assert_eq!(get(&app, &contract, "htlc_1").state, HtlcState::Open);
    assert_eq!(balance(&app, &contract), 100);
}

#[test]
fn failed_create_returns_the_funds() {
    let (mut app, contract) = setup();
    let err = app
        .execute_contract(addr("alice"), contract.clone(), &create_msg(&addr("bob"), T0, None), &coins(100, "stake"))
        .unwrap_err();
    assert_eq!(error_text(&err), "timelock must be in the future");
    assert_eq!(balance(&app, &addr("alice")), 1000);
    assert_eq!(balance(&app, &contract), 0);
}

#[test]
fn withdraw_and_refund_refuse_funds() {
    let (mut app, contract) = setup();
    create(&mut app, &contract, &addr("alice"), &create_msg(&addr("bob"), T0 + 100, None), 100);
    let withdraw = ExecuteMsg::Withdraw { htlc_id: "htlc_1".into(), secret: hex::encode(SECRET) };
    let err = app.execute_contract(addr("carol"), contract.clone(), &withdraw, &coins(1, "stake")).unwrap_err();
    assert_eq!(error_text(&err), "this message does not accept funds");
    set_time(&mut app, T0 + 100);
    let refund = ExecuteMsg::Refund { htlc_id: "htlc_1".into() };
    let err = app.execute_contract(addr("carol"), contract.clone(), &refund, &coins(1, "stake")).unwrap_err();
    assert_eq!(error_text(&err), "this message does not accept funds");
    assert_eq!(balance(&app, &addr("carol")), 10);
}

#[test]
fn refund_pays_the_refund_address_not_the_sender() {
    let (mut app, contract) = setup();
    let (alice, bob, carol) = (addr("alice"), addr("bob"), addr("carol"));
    create(&mut app, &contract, &alice, &create_msg(&bob, T0 + 100, Some(&carol)), 100);
    assert_eq!(get(&app, &contract, "htlc_1").refund_address, carol.to_string());
    set_time(&mut app, T0 + 200);
    app.execute_contract(bob.clone(), contract.clone(), &ExecuteMsg::Refund { htlc_id: "htlc_1".into() }, &[])
        .unwrap();
    assert_eq!(balance(&app, &carol), 110);
    assert_eq!(balance(&app, &alice), 900);
}

/// ibc-hooks calls execute with a derived intermediary as sender (COSMOS_WIRE §8), an address nobody holds
/// keys for: the relayer names itself as refund_address, and a refund must reach the relayer.
#[test]
fn ibc_hooks_intermediary_refund_pays_the_relayer() {
    let api = MockApi::default().with_prefix(PREFIX);
    let prefix_hash = Sha256::digest(b"ibc-wasm-hook-intermediary");
    let mut hasher = Sha256::new();
    hasher.update(prefix_hash);
    hasher.update(b"channel-0/osmo1originalsender");
    let intermediary = api.addr_humanize(&CanonicalAddr::from(hasher.finalize().to_vec())).unwrap();
    let relayer = addr("relayer");
    let bob = addr("bob");
    let ibc_denom = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";

    // ibc-transfer credits the intermediary first; the hook then executes with it as sender.
    let mut app = new_app(T0, &[(intermediary.clone(), coins(250, ibc_denom))]);
    let contract = instantiate_htlc(&mut app);
    let msg = create_msg(&bob, T0 + 100, Some(&relayer));
    app.execute_contract(intermediary.clone(), contract.clone(), &msg, &coins(250, ibc_denom)).unwrap();
    let htlc = get(&app, &contract, "htlc_1");
    assert_eq!(htlc.sender, intermediary.to_string());
    assert_eq!(htlc.refund_address, relayer.to_string());

    set_time(&mut app, T0 + 100);
    app.execute_contract(relayer.clone(), contract.clone(), &ExecuteMsg::Refund { htlc_id: "htlc_1".into() }, &[])
        .unwrap();
    assert_eq!(app.wrap().query_balance(&relayer, ibc_denom).unwrap(), Coin::new(250u128, ibc_denom));
    assert_eq!(app.wrap().query_balance(&intermediary, ibc_denom).unwrap().amount, Uint128::zero());
}

#[test]
fn list_orders_numerically_and_clamps_the_limit() {
    let (mut app, contract) = setup();
    for _ in 0..35 {
        create(&mut app, &contract, &addr("alice"), &create_msg(&addr("bob"), T0 + 100, None), 1);
    }
    let ids = |start_after: Option<&str>, limit: Option<u32>| -> Vec<String> {
        let list: ListHtlcsResponse = app
            .wrap()
            .query_wasm_smart(
                &contract,
                &QueryMsg::ListHtlcs { start_after: start_after.map(str::to_string), limit },
            )
            .unwrap();
        list.htlcs.into_iter().map(|h| h.id).collect()
    };
    assert_eq!(ids(None, None).len(), 10);
    let all = ids(None, Some(1000));
    assert_eq!(all.len(), 30);
    assert_eq!(all[29], "htlc_30");
    assert_eq!(ids(Some("htlc_9"), Some(2)), vec!["htlc_10", "htlc_11"]);
    assert_eq!(ids(Some("htlc_34"), None), vec!["htlc_35"]);
}

#[test]
fn malformed_messages_are_refused_by_the_json_decoder() {
    let (mut app, contract) = setup();
    let unknown_field = serde_json::json!({"refund": {"htlc_id": "htlc_1", "extra": 1}});
    assert!(app.execute_contract(addr("alice"), contract.clone(), &unknown_field, &[]).is_err());
    let negative_timelock = serde_json::json!({"create_htlc": {"receiver": addr("bob"), "hashlock": hashlock(),
        "timelock": -5, "target_chain": "x", "target_address": "y"}});
    let err = app
        .execute_contract(addr("alice"), contract.clone(), &negative_timelock, &coins(1, "stake"))
        .unwrap_err();
    assert!(!error_text(&err).contains("timelock must be"), "{}", error_text(&err));
    assert_eq!(balance(&app, &addr("alice")), 1000);
}

#[test]
fn instantiate_records_the_contract_version() {
    let (app, contract) = setup();
    let raw = app.wrap().query_wasm_raw(&contract, b"contract_info".to_vec()).unwrap().expect("cw2 info");
    let info: cw2::ContractVersion = from_json(raw).unwrap();
    assert_eq!(info.contract, "crates.io:evmore-htlc");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
}

/// The devnet's Java twin stores the same bytes under the same keys (HtlcContractTest pins its side), so raw
/// state queries answer alike on both.
#[test]
fn raw_state_layout_is_the_one_the_java_twin_uses() {
    let (mut app, contract) = setup();
    let (alice, bob) = (addr("alice"), addr("bob"));
    let msg = ExecuteMsg::CreateHtlc {
        receiver: bob.to_string(),
        hashlock: hashlock(),
        timelock: T0 + 100,
        target_chain: "eip155:1".into(),
        target_address: "0xabc".into(),
        refund_address: None,
    };
    create(&mut app, &contract, &alice, &msg, 100);
    let count = app.wrap().query_wasm_raw(&contract, b"htlc_count".to_vec()).unwrap().expect("count");
    assert_eq!(count, b"1".to_vec());
    let mut key = vec![0x00, 0x05];
    key.extend_from_slice(b"htlcs");
    key.extend_from_slice(&1u64.to_be_bytes());
    let stored = app.wrap().query_wasm_raw(&contract, key).unwrap().expect("htlc_1");
    let expected = format!(
        "{{\"id\":\"htlc_1\",\"sender\":\"{alice}\",\"receiver\":\"{bob}\",\"refund_address\":\"{alice}\",\
         \"amount\":\"100\",\"denom\":\"stake\",\"hashlock\":\"{}\",\"timelock\":{},\"target_chain\":\"eip155:1\",\
         \"target_address\":\"0xabc\",\"state\":\"open\",\"secret\":null,\"created_at\":{T0}}}",
        hashlock(),
        T0 + 100
    );
    assert_eq!(String::from_utf8(stored).unwrap(), expected);
}

/// The timelock boundary as a table, for both operations on a fresh HTLC each: withdraw is allowed only while
/// block time < timelock, refund only from block time >= timelock (claim at exactly `timelock` refused, refund
/// at exactly `timelock` allowed), for timelocks from 1 s to the 30-day maximum ahead.
#[test]
fn timelock_boundary_table() {
    let (alice, bob) = (addr("alice"), addr("bob"));
    let mut cases = 0;
    for ahead in [1u64, 2, 100, 86_400, 2_592_000] {
        let timelock = T0 + ahead;
        for at in [timelock - 1, timelock, timelock + 1] {
            if at < T0 {
                continue;
            }
            for withdraw in [true, false] {
                let (mut app, contract) = setup();
                create(&mut app, &contract, &alice, &create_msg(&bob, timelock, None), 100);
                set_time(&mut app, at);
                let msg = if withdraw {
                    ExecuteMsg::Withdraw { htlc_id: "htlc_1".into(), secret: hex::encode(SECRET) }
                } else {
                    ExecuteMsg::Refund { htlc_id: "htlc_1".into() }
                };
                let result = app.execute_contract(bob.clone(), contract.clone(), &msg, &[]);
                let allowed = if withdraw { at < timelock } else { at >= timelock };
                let case = format!("{} at timelock{:+} (timelock {ahead} s ahead)",
                    if withdraw { "withdraw" } else { "refund" }, at as i64 - timelock as i64);
                match (allowed, result) {
                    (true, Ok(_)) => {
                        let (payee, state) = if withdraw { (&bob, HtlcState::Withdrawn) } else { (&alice, HtlcState::Refunded) };
                        assert_eq!(balance(&app, payee), if withdraw { 100 } else { 1000 }, "{case}: payout");
                        assert_eq!(get(&app, &contract, "htlc_1").state, state, "{case}: state");
                    }
                    (false, Err(e)) => {
                        let want = if withdraw { "htlc htlc_1 has expired" } else { "htlc htlc_1 has not expired yet" };
                        assert_eq!(error_text(&e), want, "{case}");
                        assert_eq!(get(&app, &contract, "htlc_1").state, HtlcState::Open, "{case}: still open");
                        assert_eq!(balance(&app, &contract), 100, "{case}: still locked");
                    }
                    (true, Err(e)) => panic!("{case}: expected success, got {}", error_text(&e)),
                    (false, Ok(_)) => panic!("{case}: expected a refusal, but it succeeded"),
                }
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 30, "every boundary case ran");
}
