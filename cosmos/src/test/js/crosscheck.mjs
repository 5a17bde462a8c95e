// Independent cross-check of the Java Cosmos encoders with cosmjs (run from tools/node, where cosmjs is
// installed). Reads one JSON case on stdin, prints cosmjs's results as JSON on stdout. The Java test compares.
import { DirectSecp256k1HdWallet, Registry, makeAuthInfoBytes, makeSignDoc, makeSignBytes, encodePubkey }
  from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { stringToPath, Secp256k1, Secp256k1Signature, sha256 } from "@cosmjs/crypto";
import { toHex, fromHex, toUtf8, fromBase64 } from "@cosmjs/encoding";
import { MsgExecuteContract } from "cosmjs-types/cosmwasm/wasm/v1/tx";
import { MsgTransfer } from "cosmjs-types/ibc/applications/transfer/v1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const registry = new Registry(defaultRegistryTypes);
registry.register("/cosmwasm.wasm.v1.MsgExecuteContract", MsgExecuteContract);
registry.register("/ibc.applications.transfer.v1.MsgTransfer", MsgTransfer);

const out = { addresses: {} };
const hdPaths = [stringToPath(input.hdPath)];
for (const prefix of input.prefixes) {
  const w = await DirectSecp256k1HdWallet.fromMnemonic(input.mnemonic, { prefix, hdPaths });
  const [acc] = await w.getAccounts();
  out.addresses[prefix] = acc.address;
  out.pubkey = toHex(acc.pubkey);
}

const wallet = await DirectSecp256k1HdWallet.fromMnemonic(input.mnemonic, { prefix: input.prefixes[0], hdPaths });
const [account] = await wallet.getAccounts();
const t = input.tx;
const messages = t.messages.map((m) => {
  if (m.type === "send") {
    return { typeUrl: "/cosmos.bank.v1beta1.MsgSend",
             value: { fromAddress: m.from, toAddress: m.to, amount: m.amount } };
  }
  if (m.type === "execute") {
    return { typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
             value: MsgExecuteContract.fromPartial({ sender: m.sender, contract: m.contract, msg: toUtf8(m.msg),
                                                      funds: m.funds }) };
  }
  if (m.type === "transfer") {
    return { typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
             value: MsgTransfer.fromPartial({ sourcePort: m.sourcePort, sourceChannel: m.sourceChannel,
               token: m.token, sender: m.sender, receiver: m.receiver,
               timeoutHeight: { revisionNumber: BigInt(m.timeoutRevisionNumber),
                                revisionHeight: BigInt(m.timeoutRevisionHeight) },
               timeoutTimestamp: BigInt(m.timeoutTimestamp), memo: m.memo }) };
  }
  throw new Error("unknown message type " + m.type);
});
const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages, memo: t.memo } });
const pubkeyAny = encodePubkey(encodeSecp256k1Pubkey(account.pubkey));
const authInfoBytes = makeAuthInfoBytes([{ pubkey: pubkeyAny, sequence: BigInt(t.sequence) }],
  [{ denom: t.feeDenom, amount: t.feeAmount }], Number(t.gasLimit), undefined, undefined);
const signDoc = makeSignDoc(bodyBytes, authInfoBytes, t.chainId, BigInt(t.accountNumber));
const signBytes = makeSignBytes(signDoc);
const { signature } = await wallet.signDirect(account.address, signDoc);
const sig = fromBase64(signature.signature);
const txRaw = TxRaw.encode(TxRaw.fromPartial({ bodyBytes, authInfoBytes, signatures: [sig] })).finish();
out.bodyHex = toHex(bodyBytes);
out.authInfoHex = toHex(authInfoBytes);
out.signDocHex = toHex(signBytes);
out.signatureHex = toHex(sig);
out.txRawHex = toHex(txRaw);

// cosmjs verifies the signature the Java side produced over the Java sign bytes.
if (input.javaSignatureHex) {
  const javaSig = Secp256k1Signature.fromFixedLength(fromHex(input.javaSignatureHex));
  out.javaSignatureValid = await Secp256k1.verifySignature(javaSig, sha256(fromHex(input.javaSignDocHex)),
    fromHex(input.javaPubkeyHex));
  // A tampered message must not verify: proves the check can fail.
  const tampered = fromHex(input.javaSignDocHex);
  tampered[tampered.length - 1] ^= 1;
  out.tamperedSignatureValid = await Secp256k1.verifySignature(javaSig, sha256(tampered),
    fromHex(input.javaPubkeyHex));
}
process.stdout.write(JSON.stringify(out));
