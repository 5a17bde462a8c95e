use cosmwasm_std::{
    to_json_binary, BankMsg, Binary, Coin, Deps, DepsMut, Env, MessageInfo, Order, Response, StdResult,
};
use cw_storage_plus::Bound;
use sha2::{Digest, Sha256};

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;

use crate::error::ContractError;
use crate::msg::{CreateHtlcData, ExecuteMsg, InstantiateMsg, ListHtlcsResponse, QueryMsg};
use crate::state::{format_id, parse_id, Htlc, HtlcState, HTLCS, HTLC_COUNT};

const CONTRACT_NAME: &str = "crates.io:evmore-htlc";
const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Longest allowed lock: 30 days. Bounds how long a mistaken lock can tie up funds.
pub const MAX_TIMELOCK_AHEAD_SECONDS: u64 = 2_592_000;
/// Bound on the free-form target strings so a lock cannot bloat state or events.
pub const MAX_TARGET_BYTES: usize = 128;
pub const DEFAULT_LIST_LIMIT: u32 = 10;
pub const MAX_LIST_LIMIT: u32 = 30;

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    HTLC_COUNT.save(deps.storage, &0)?;
    Ok(Response::new().add_attribute("method", "instantiate"))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::CreateHtlc {
            receiver,
            hashlock,
            timelock,
            target_chain,
            target_address,
            refund_address,
        } => create_htlc(
            deps,
            env,
            info,
            CreateArgs {
                receiver,
                hashlock,
                timelock,
                target_chain,
                target_address,
                refund_address,
            },
        ),
        ExecuteMsg::Withdraw { htlc_id, secret } => withdraw(deps, env, info, htlc_id, secret),
        ExecuteMsg::Refund { htlc_id } => refund(deps, env, info, htlc_id),
    }
}

struct CreateArgs {
    receiver: String,
    hashlock: String,
    timelock: u64,
    target_chain: String,
    target_address: String,
    refund_address: Option<String>,
}

fn create_htlc(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    args: CreateArgs,
) -> Result<Response, ContractError> {
    // The check order is part of the agreed interface (the shared vectors pin it).
    if info.funds.len() != 1 {
        return Err(ContractError::WrongFundsCount(info.funds.len()));
    }
    let Coin { denom, amount } = info.funds[0].clone();
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let receiver = deps
        .api
        .addr_validate(&args.receiver)
        .map_err(|_| ContractError::InvalidReceiver(args.receiver.clone()))?;
    let refund_address = match &args.refund_address {
        Some(addr) => deps
            .api
            .addr_validate(addr)
            .map_err(|_| ContractError::InvalidRefundAddress(addr.clone()))?,
        None => info.sender.clone(),
    };
    if !is_hex32(&args.hashlock) {
        return Err(ContractError::InvalidHashlock);
    }
    let now = env.block.time.seconds();
    if args.timelock <= now {
        return Err(ContractError::TimelockNotInFuture);
    }
    if args.timelock > now.saturating_add(MAX_TIMELOCK_AHEAD_SECONDS) {
        return Err(ContractError::TimelockTooFar(MAX_TIMELOCK_AHEAD_SECONDS));
    }
    if args.target_chain.is_empty() || args.target_chain.len() > MAX_TARGET_BYTES {
        return Err(ContractError::InvalidTargetChain(args.target_chain.len()));
    }
    if args.target_address.is_empty() || args.target_address.len() > MAX_TARGET_BYTES {
        return Err(ContractError::InvalidTargetAddress(args.target_address.len()));
    }

    let n = HTLC_COUNT.may_load(deps.storage)?.unwrap_or(0) + 1;
    HTLC_COUNT.save(deps.storage, &n)?;
    let htlc = Htlc {
        id: format_id(n),
        sender: info.sender.to_string(),
        receiver: receiver.to_string(),
        refund_address: refund_address.to_string(),
        amount,
        denom,
        hashlock: args.hashlock.to_ascii_lowercase(),
        timelock: args.timelock,
        target_chain: args.target_chain,
        target_address: args.target_address,
        state: HtlcState::Open,
        secret: None,
        created_at: now,
    };
    HTLCS.save(deps.storage, n, &htlc)?;

    Ok(Response::new()
        .add_attributes(common_attributes("create_htlc", &htlc))
        .add_attribute("target_chain", &htlc.target_chain)
        .add_attribute("target_address", &htlc.target_address)
        .set_data(to_json_binary(&CreateHtlcData {
            htlc_id: htlc.id.clone(),
        })?))
}

fn withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    htlc_id: String,
    secret: String,
) -> Result<Response, ContractError> {
    let (n, mut htlc) = load_open(deps.as_ref(), &info, &htlc_id)?;
    if env.block.time.seconds() >= htlc.timelock {
        return Err(ContractError::Expired(htlc.id));
    }
    if !is_hex32(&secret) {
        return Err(ContractError::InvalidSecret);
    }
    // Both were checked to be 64 hex characters, so decoding cannot fail; compare bytes, not strings.
    let secret_bytes = hex::decode(&secret).map_err(|_| ContractError::InvalidSecret)?;
    let hashlock_bytes = hex::decode(&htlc.hashlock).map_err(|_| ContractError::InvalidHashlock)?;
    if Sha256::digest(&secret_bytes).as_slice() != hashlock_bytes.as_slice() {
        return Err(ContractError::SecretMismatch);
    }

    htlc.state = HtlcState::Withdrawn;
    htlc.secret = Some(secret.to_ascii_lowercase());
    HTLCS.save(deps.storage, n, &htlc)?;

    Ok(Response::new()
        .add_message(pay(&htlc, &htlc.receiver))
        .add_attributes(common_attributes("withdraw", &htlc))
        .add_attribute("secret", htlc.secret.clone().unwrap_or_default()))
}

fn refund(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    htlc_id: String,
) -> Result<Response, ContractError> {
    let (n, mut htlc) = load_open(deps.as_ref(), &info, &htlc_id)?;
    if env.block.time.seconds() < htlc.timelock {
        return Err(ContractError::NotExpired(htlc.id));
    }

    htlc.state = HtlcState::Refunded;
    HTLCS.save(deps.storage, n, &htlc)?;

    Ok(Response::new()
        .add_message(pay(&htlc, &htlc.refund_address))
        .add_attributes(common_attributes("refund", &htlc)))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    match msg {
        QueryMsg::GetHtlc { htlc_id } => Ok(to_json_binary(&load(deps, &htlc_id)?.1)?),
        QueryMsg::ListHtlcs { start_after, limit } => {
            Ok(to_json_binary(&list_htlcs(deps, start_after, limit)?)?)
        }
    }
}

fn list_htlcs(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> Result<ListHtlcsResponse, ContractError> {
    let limit = limit.unwrap_or(DEFAULT_LIST_LIMIT).min(MAX_LIST_LIMIT) as usize;
    let start = match start_after {
        Some(id) => Some(Bound::exclusive(
            parse_id(&id).ok_or(ContractError::InvalidStartAfter(id))?,
        )),
        None => None,
    };
    let htlcs = HTLCS
        .range(deps.storage, start, None, Order::Ascending)
        .take(limit)
        .map(|item| item.map(|(_, htlc)| htlc))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(ListHtlcsResponse { htlcs })
}

fn load(deps: Deps, htlc_id: &str) -> Result<(u64, Htlc), ContractError> {
    let not_found = || ContractError::NotFound(htlc_id.to_string());
    let n = parse_id(htlc_id).ok_or_else(not_found)?;
    let htlc = HTLCS.may_load(deps.storage, n)?.ok_or_else(not_found)?;
    Ok((n, htlc))
}

/// What withdraw and refund check first, in the agreed order: the HTLC exists, no funds came with the call,
/// the HTLC is still open.
fn load_open(deps: Deps, info: &MessageInfo, htlc_id: &str) -> Result<(u64, Htlc), ContractError> {
    let (n, htlc) = load(deps, htlc_id)?;
    if !info.funds.is_empty() {
        return Err(ContractError::FundsNotAccepted);
    }
    ensure_open(&htlc)?;
    Ok((n, htlc))
}

/// Pays the whole locked amount to `to`.
fn pay(htlc: &Htlc, to: &str) -> BankMsg {
    BankMsg::Send {
        to_address: to.to_string(),
        amount: vec![Coin::new(htlc.amount, htlc.denom.clone())],
    }
}

fn ensure_open(htlc: &Htlc) -> Result<(), ContractError> {
    if htlc.state != HtlcState::Open {
        return Err(ContractError::NotOpen {
            id: htlc.id.clone(),
            state: htlc.state.as_str().to_string(),
        });
    }
    Ok(())
}

/// The attributes every method emits, in the agreed order; `sender` is the HTLC's creator, not the caller.
fn common_attributes(method: &str, htlc: &Htlc) -> Vec<(&'static str, String)> {
    vec![
        ("method", method.to_string()),
        ("htlc_id", htlc.id.clone()),
        ("sender", htlc.sender.clone()),
        ("receiver", htlc.receiver.clone()),
        ("amount", htlc.amount.to_string()),
        ("denom", htlc.denom.clone()),
        ("hashlock", htlc.hashlock.clone()),
        ("timelock", htlc.timelock.to_string()),
    ]
}

/// Exactly 64 hex digits, either case (32 bytes).
fn is_hex32(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

