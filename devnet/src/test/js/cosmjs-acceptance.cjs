// Independent check of the devnet with cosmjs (pinned in tools/node): cosmjs signs and broadcasts a MsgSend and a
// MsgExecuteContract (create_htlc) with "auto" fees (account query → simulate → sign → broadcast → tx_search),
// then submits a tampered signature, a wrong chain id and a stale sequence and reports the codes it got back.
// Input: environment variables; output: one JSON object on stdout. Run with NODE_PATH=tools/node/node_modules.
"use strict";
const { DirectSecp256k1HdWallet } = require("@cosmjs/proto-signing");
const path = require("path");
const { SigningCosmWasmClient } = require("@cosmjs/cosmwasm-stargate");
// @cosmjs/cosmwasm-stargate 0.39 re-exports @cosmjs/cosmwasm, which carries its own @cosmjs/stargate: take GasPrice
// from that copy, or the client's "instanceof GasPrice" check fails.
const stargateDir = path.dirname(require.resolve("@cosmjs/cosmwasm"));
const { GasPrice, calculateFee } = require(require.resolve("@cosmjs/stargate", { paths: [stargateDir] }));
const { TxRaw } = require("cosmjs-types/cosmos/tx/v1beta1/tx");

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error("missing environment variable " + name);
  return v;
}

async function rejectionCode(client, signed) {
  try {
    await client.broadcastTxSync(TxRaw.encode(signed).finish());
    return { code: 0, log: "" };
  } catch (e) {
    if (typeof e.code === "number") return { code: e.code, log: e.log ?? String(e.message) };
    throw e;
  }
}

async function main() {
  const rpc = env("DEVNET_RPC");
  const prefix = env("DEVNET_PREFIX");
  const denom = env("DEVNET_DENOM");
  const chainId = env("DEVNET_CHAIN_ID");
  const contract = env("DEVNET_CONTRACT");
  const recipient = env("DEVNET_RECIPIENT");
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(env("DEVNET_MNEMONIC"), { prefix });
  const [account] = await wallet.getAccounts();
  const client = await SigningCosmWasmClient.connectWithSigner(rpc, wallet, {
    gasPrice: GasPrice.fromString("0.025" + denom),
    // cosmjs polls for inclusion every 3 s by default; the devnet makes a block every 300 ms.
    broadcastPollIntervalMs: 200,
  });
  const out = { address: account.address, chainId: await client.getChainId() };

  const send = await client.sendTokens(account.address, recipient, [{ denom, amount: "1234" }], "auto", "cosmjs send");
  out.send = { code: send.code, hash: send.transactionHash, height: send.height, gasUsed: String(send.gasUsed) };

  const timelock = Math.floor(Date.now() / 1000) + 3600;
  const exec = await client.execute(account.address, contract, {
    create_htlc: {
      receiver: recipient,
      hashlock: "c0ffee".padEnd(64, "0"),
      timelock,
      target_chain: "eip155:1",
      target_address: "0x00000000000000000000000000000000000000aa",
    },
  }, "auto", "cosmjs htlc", [{ denom, amount: "777" }]);
  const wasm = exec.events.find((e) => e.type === "wasm");
  const htlcId = wasm.attributes.find((a) => a.key === "htlc_id").value;
  out.execute = { hash: exec.transactionHash, height: exec.height, htlcId };
  out.htlc = await client.queryContractSmart(contract, { get_htlc: { htlc_id: htlcId } });

  // Rejections: sign with explicit signer data so cosmjs does not look anything up for us.
  const acct = await client.getAccount(account.address);
  const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: account.address, toAddress: recipient, amount: [{ denom, amount: "1" }] } };
  const fee = calculateFee(200000, GasPrice.fromString("0.025" + denom));
  const good = { accountNumber: acct.accountNumber, sequence: acct.sequence, chainId };

  const tampered = await client.sign(account.address, [msg], fee, "tampered", good);
  tampered.signatures[0] = Uint8Array.from(tampered.signatures[0]);
  tampered.signatures[0][10] ^= 0x01;
  const wrongChain = await client.sign(account.address, [msg], fee, "wrong chain", { ...good, chainId: "not-" + chainId });
  const stale = await client.sign(account.address, [msg], fee, "stale", { ...good, sequence: acct.sequence - 1 });
  out.rejections = {
    tamperedSignature: await rejectionCode(client, tampered),
    wrongChainId: await rejectionCode(client, wrongChain),
    staleSequence: await rejectionCode(client, stale),
  };
  out.finalSequence = (await client.getAccount(account.address)).sequence;
  out.recipientBalance = (await client.getBalance(recipient, denom)).amount;
  client.disconnect();
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write("cosmjs acceptance failed: " + (e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
