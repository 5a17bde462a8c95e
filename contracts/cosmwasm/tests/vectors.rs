//! Runs every shared vector in `contracts/test-vectors/` against the contract in cw-multi-test.
//! The Java twin runs the same files with the same rules (devnet `HtlcVectorsTest`); the rules are in
//! `contracts/test-vectors/README.md`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi};
use cosmwasm_std::{from_json, Addr, Coin, Event, Order, Storage, Timestamp, Uint128};
use cw_multi_test::{BasicApp, Executor};
use evmore_htlc::contract::execute;
use evmore_htlc::msg::ExecuteMsg;
use serde_json::{json, Map, Value};

/// The number of `*.json` files in `contracts/test-vectors/`: a runner that finds fewer (a deleted or renamed
/// vector, a wrong folder) fails, and so does a new vector until it is counted here and in the Java runner.
const VECTOR_COUNT: usize = 30;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

#[test]
fn every_shared_vector_passes() {
    let mut files: Vec<PathBuf> = fs::read_dir(vectors_dir())
        .expect("contracts/test-vectors exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        VECTOR_COUNT,
        "expected exactly {VECTOR_COUNT} vectors in {} (update VECTOR_COUNT here and in HtlcVectorsTest when adding one)",
        vectors_dir().display()
    );
    let mut failures = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("readable vector");
        let vector: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
        if let Err(msg) = run_vector(&vector) {
            failures.push(format!("{}: {msg}", file.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}

/// A deliberately wrong expectation must be reported: the runner itself can fail.
#[test]
fn runner_reports_a_wrong_expectation() {
    let vector = json!({
        "name": "wrong", "accounts": {"alice": []}, "start_time": 1_700_000_000u64,
        "steps": [{"query": {"get_htlc": {"htlc_id": "htlc_1"}}, "expect": {"error": "htlc htlc_2 not found"}}]
    });
    let err = run_vector(&vector).expect_err("a wrong error text must fail");
    assert!(err.contains("htlc htlc_1 not found"), "{err}");
    let vector = json!({
        "name": "wrong_balance", "accounts": {"alice": [{"denom": "stake", "amount": "5"}]},
        "start_time": 1_700_000_000u64,
        "steps": [{"query": {"list_htlcs": {}}, "expect": {"response": {"htlcs": []}}},
                  {"execute": {"sender": "alice", "msg": {"refund": {"htlc_id": "htlc_1"}}},
                   "expect": {"error": "htlc htlc_1 not found", "balances": {"alice": [{"denom": "stake", "amount": "6"}]}}}]
    });
    let err = run_vector(&vector).expect_err("a wrong balance must fail");
    assert!(err.contains("step 1"), "{err}");
}

/// Response data and events of a successful execute, or the contract's error text.
type ExecOutcome = Result<(Option<Vec<u8>>, Vec<Event>), String>;

struct Runner {
    app: BasicApp,
    contract: Addr,
    accounts: BTreeMap<String, Addr>,
    time: u64,
}

fn run_vector(vector: &Value) -> Result<(), String> {
    let obj = as_object(vector, "vector")?;
    check_keys(obj, &["name", "description", "accounts", "start_time", "steps"], "vector")?;
    let start_time = obj.get("start_time").and_then(Value::as_u64).ok_or("start_time must be a u64")?;
    let mut accounts = BTreeMap::new();
    let mut balances = Vec::new();
    for (name, coins) in as_object(obj.get("accounts").ok_or("accounts missing")?, "accounts")? {
        let address = addr(name);
        balances.push((address.clone(), parse_coins(coins)?));
        accounts.insert(name.clone(), address);
    }
    let mut app = new_app(start_time, &balances);
    let contract = instantiate_htlc(&mut app);
    let mut runner = Runner { app, contract, accounts, time: start_time };
    let steps = obj.get("steps").and_then(Value::as_array).ok_or("steps must be an array")?;
    for (i, step) in steps.iter().enumerate() {
        runner.step(step).map_err(|e| format!("step {i}: {e}"))?;
    }
    Ok(())
}

impl Runner {
    fn step(&mut self, step: &Value) -> Result<(), String> {
        let obj = as_object(step, "step")?;
        check_keys(obj, &["time", "execute", "query", "expect", "comment"], "step")?;
        if let Some(t) = obj.get("time") {
            let t = t.as_u64().ok_or("time must be a u64")?;
            if t < self.time {
                return Err(format!("time goes back from {} to {t}", self.time));
            }
            self.time = t;
            set_time(&mut self.app, t);
        }
        let expect = as_object(obj.get("expect").ok_or("expect missing")?, "expect")?;
        match (obj.get("execute"), obj.get("query")) {
            (Some(exec), None) => self.execute(exec, expect),
            (None, Some(query)) => self.query(query, expect),
            _ => Err("a step has exactly one of execute and query".into()),
        }
    }

    fn execute(&mut self, exec: &Value, expect: &Map<String, Value>) -> Result<(), String> {
        check_keys(expect, &["error", "data", "attributes", "balances"], "execute expect")?;
        let exec = as_object(exec, "execute")?;
        check_keys(exec, &["sender", "msg", "funds"], "execute")?;
        let sender_name = exec.get("sender").and_then(Value::as_str).ok_or("execute.sender must be a string")?;
        let sender = self.accounts.get(sender_name).ok_or_else(|| format!("unknown account {sender_name}"))?.clone();
        let msg = self.substitute(exec.get("msg").ok_or("execute.msg missing")?);
        let funds = match exec.get("funds") {
            Some(f) => parse_coins(f)?,
            None => vec![],
        };
        let outcome = if funds.iter().any(|c| c.amount.is_zero()) {
            if expect.get("error").is_none() {
                return Err("a step with a zero coin in funds may only expect an error".into());
            }
            self.execute_zero_funds(&sender, &msg, &funds)?
        } else {
            self.app
                .execute_contract(sender, self.contract.clone(), &msg, &funds)
                .map(|r| (r.data.map(|d| d.to_vec()), r.events))
                .map_err(|e| error_text(&e))
        };
        match (expect.get("error"), outcome) {
            (Some(want), Err(got)) => {
                let want = want.as_str().ok_or("expect.error must be a string")?;
                if want != got {
                    return Err(format!("expected error {want:?}, got error {got:?}"));
                }
            }
            (Some(want), Ok(_)) => return Err(format!("expected error {want}, but the execute succeeded")),
            (None, Err(got)) => return Err(format!("expected success, got error {got:?}")),
            (None, Ok((data, events))) => {
                if let Some(want) = expect.get("data") {
                    let want = self.substitute(want);
                    let got: Value = match &data {
                        Some(bytes) => serde_json::from_slice(bytes).map_err(|e| format!("data is not JSON: {e}"))?,
                        None => Value::Null,
                    };
                    if want != got {
                        return Err(format!("data: expected {want}, got {got}"));
                    }
                }
                if let Some(want) = expect.get("attributes") {
                    let want = self.substitute(want);
                    let got = wasm_attributes(&events)?;
                    if want != got {
                        return Err(format!("attributes: expected {want}, got {got}"));
                    }
                }
            }
        }
        if let Some(want) = expect.get("balances") {
            self.check_balances(want)?;
        }
        Ok(())
    }

    /// A real chain's bank refuses zero-amount coins before the contract runs, and so does cw-multi-test's.
    /// The contract still checks the amount itself, so such steps call it directly, with no transfer, against
    /// a copy of the contract's live state that is then thrown away (rolled back, as in the Java runner; only
    /// an error may be expected; the README states this rule).
    fn execute_zero_funds(
        &self,
        sender: &Addr,
        msg: &Value,
        funds: &[Coin],
    ) -> Result<ExecOutcome, String> {
        let mut deps = mock_dependencies();
        deps.api = MockApi::default().with_prefix(PREFIX);
        for (key, value) in self.app.contract_storage(&self.contract).range(None, None, Order::Ascending) {
            deps.storage.set(&key, &value);
        }
        let mut env = mock_env();
        env.block.time = Timestamp::from_seconds(self.time);
        env.contract.address = self.contract.clone();
        let msg: ExecuteMsg = from_json(serde_json::to_vec(msg).unwrap()).map_err(|e| format!("bad msg: {e}"))?;
        Ok(execute(deps.as_mut(), env, message_info(sender, funds), msg)
            .map(|r| (r.data.map(|d| d.to_vec()), vec![]))
            .map_err(|e| e.to_string()))
    }

    fn query(&mut self, query: &Value, expect: &Map<String, Value>) -> Result<(), String> {
        check_keys(expect, &["error", "response"], "query expect")?;
        let msg = self.substitute(query);
        let outcome: Result<Value, String> = self
            .app
            .wrap()
            .query_wasm_smart(self.contract.clone(), &msg)
            .map_err(|e| {
                // cw-multi-test wraps the contract's error text; the text itself is what wasmd reports.
                let text = match &e {
                    cosmwasm_std::StdError::GenericErr { msg, .. } => msg.clone(),
                    other => other.to_string(),
                };
                text.strip_prefix("Querier contract error: ").map(str::to_string).unwrap_or(text)
            });
        match (expect.get("error"), expect.get("response"), outcome) {
            (Some(want), None, Err(got)) => {
                let want = want.as_str().ok_or("expect.error must be a string")?;
                if want != got {
                    return Err(format!("expected error {want:?}, got error {got:?}"));
                }
                Ok(())
            }
            (None, Some(want), Ok(got)) => {
                let want = self.substitute(want);
                if want != got {
                    return Err(format!("response: expected {want}, got {got}"));
                }
                Ok(())
            }
            (Some(want), None, Ok(got)) => Err(format!("expected error {want}, got response {got}")),
            (None, Some(_), Err(got)) => Err(format!("expected a response, got error {got:?}")),
            _ => Err("a query expects exactly one of error and response".into()),
        }
    }

    fn check_balances(&self, want: &Value) -> Result<(), String> {
        for (holder, coins) in as_object(want, "balances")? {
            let address = if holder == "{contract}" {
                self.contract.clone()
            } else {
                self.accounts.get(holder).ok_or_else(|| format!("unknown balance holder {holder}"))?.clone()
            };
            for coin in parse_coins(coins)? {
                let got = self.app.wrap().query_balance(&address, &coin.denom).map_err(|e| e.to_string())?;
                if got.amount != coin.amount {
                    return Err(format!("balance of {holder} in {}: expected {}, got {}", coin.denom, coin.amount, got.amount));
                }
            }
        }
        Ok(())
    }

    /// Replaces `{name}` by account addresses and `{contract}` by the contract address in every string.
    fn substitute(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => {
                let mut s = s.replace("{contract}", self.contract.as_str());
                for (name, address) in &self.accounts {
                    s = s.replace(&format!("{{{name}}}"), address.as_str());
                }
                Value::String(s)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.substitute(v)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.substitute(v))).collect()),
            other => other.clone(),
        }
    }
}

/// The attributes of the single `wasm` event as `[[key, value], …]`, without the host's `_contract_address`.
fn wasm_attributes(events: &[Event]) -> Result<Value, String> {
    let wasm: Vec<&Event> = events.iter().filter(|e| e.ty == "wasm").collect();
    if wasm.len() != 1 {
        return Err(format!("expected one wasm event, got {}", wasm.len()));
    }
    Ok(Value::Array(
        wasm[0]
            .attributes
            .iter()
            .filter(|a| a.key != "_contract_address")
            .map(|a| json!([a.key, a.value]))
            .collect(),
    ))
}

fn parse_coins(value: &Value) -> Result<Vec<Coin>, String> {
    let items = value.as_array().ok_or("coins must be an array")?;
    items
        .iter()
        .map(|c| {
            let obj = as_object(c, "coin")?;
            check_keys(obj, &["denom", "amount"], "coin")?;
            let denom = obj.get("denom").and_then(Value::as_str).ok_or("coin.denom must be a string")?;
            let amount = obj.get("amount").and_then(Value::as_str).ok_or("coin.amount must be a decimal string")?;
            let amount: Uint128 = amount.parse().map_err(|_| format!("bad coin amount {amount}"))?;
            Ok(Coin::new(amount, denom))
        })
        .collect()
}

fn as_object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| format!("{what} must be an object"))
}

/// Rejects unknown keys so that a typo in a vector cannot silently skip a check.
fn check_keys(obj: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("unknown key {k:?} in {what}")),
        None => Ok(()),
    }
}
