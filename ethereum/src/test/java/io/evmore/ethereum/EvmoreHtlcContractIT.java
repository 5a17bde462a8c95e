package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.Secret;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/** The Solidity HTLC on a real Hardhat node: every rule of SPEC §2, driven through the Java adapter. */
class EvmoreHtlcContractIT extends OnHardhatChain {
    static final BigInteger ETH = BigInteger.TEN.pow(18);
    static final int USER = 1, RECEIVER = 2, ANYONE = 3;

    private static String selector(String signature) {
        return Hash.sha3String(signature).substring(2, 10);
    }

    private static LockRequest lockOf(String token, BigInteger amount, Secret s, long timelock) {
        return new LockRequest(chain.address(RECEIVER), token, amount, s.hashlock(), timelock, "osmosis-1",
                "osmo1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn4jnxcm");
    }

    private static ChainEvent decodeSingle(TransactionReceipt r) {
        HtlcLogDecoder d = new HtlcLogDecoder(HardhatChain.CHAIN, chain.htlc);
        List<ChainEvent> out = new ArrayList<>();
        for (Log l : r.getLogs()) {
            if (d.decode(l, chain.now()) instanceof HtlcLogDecoder.Decoded ok) out.add(ok.event());
        }
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static TransactionReceipt receipt(String txHash) {
        return chain.pool.execute(c -> c.web3j().ethGetTransactionReceipt(txHash).send().getTransactionReceipt().orElseThrow());
    }

    private static void tx(int account, String to, Function f) {
        chain.transactor(account).send(new EthereumTransactor.TxRequest(to, BigInteger.ZERO, FunctionEncoder.encode(f), null,
                f.getName()));
    }

    private static String mintAndApprove(String tokenContract, int account, BigInteger amount, boolean returnsBool) {
        tx(0, tokenContract, new Function("mint", List.of(new Address(chain.address(account)), new Uint256(amount)), List.of()));
        tx(account, tokenContract, new Function("approve", List.of(new Address(chain.htlc), new Uint256(amount)),
                returnsBool ? List.of(new TypeReference<Bool>() {}) : List.of()));
        return tokenContract;
    }

    @Test
    void nativeLockThenClaimByAnyonePaysTheReceiverAndRevealsThePreimage() {
        Secret secret = Secret.random();
        long timelock = chain.now() + 3600;
        TxResult locked = chain.htlcChain(USER).lock(lockOf(HtlcAbi.NATIVE, ETH, secret, timelock));
        assertThat(locked.htlcId()).matches("0x[0-9a-f]{64}");

        var ev = (ChainEvent.HtlcLocked) decodeSingle(receipt(locked.txHash()));
        HtlcRecord h = ev.htlc();
        assertThat(h.sender()).isEqualTo(chain.address(USER));
        assertThat(h.receiver()).isEqualTo(chain.address(RECEIVER));
        assertThat(h.asset()).isEqualTo(HtlcAbi.NATIVE);
        assertThat(h.amount()).isEqualTo(ETH);
        assertThat(h.hashlock()).isEqualTo(secret.hashlock());
        assertThat(h.timelock()).isEqualTo(timelock);
        assertThat(h.targetChain()).isEqualTo("osmosis-1");
        assertThat(h.targetAddress()).isEqualTo("osmo1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn4jnxcm");
        assertThat(ev.origin().txHash()).isEqualTo(locked.txHash());
        assertThat(chain.htlcChain(ANYONE).query(locked.htlcId())).get().extracting(HtlcRecord::status)
                .isEqualTo(HtlcRecord.Status.OPEN);

        BigInteger before = chain.ethBalance(chain.address(RECEIVER));
        TxResult claimed = chain.htlcChain(ANYONE).claim(locked.htlcId(), secret);
        assertThat(chain.ethBalance(chain.address(RECEIVER)).subtract(before)).isEqualTo(ETH);
        var claimEv = (ChainEvent.HtlcClaimed) decodeSingle(receipt(claimed.txHash()));
        assertThat(claimEv.htlcId()).isEqualTo(locked.htlcId());
        assertThat(claimEv.secret()).isEqualTo(secret);
        assertThat(chain.htlcChain(ANYONE).query(locked.htlcId())).get().extracting(HtlcRecord::status)
                .isEqualTo(HtlcRecord.Status.CLAIMED);

        assertThatThrownBy(() -> chain.htlcChain(ANYONE).claim(locked.htlcId(), secret))
                .isInstanceOf(PermanentException.class).hasMessageContaining(selector("NotOpen(bytes32,uint8)"));
        assertThatThrownBy(() -> chain.htlcChain(ANYONE).refund(locked.htlcId()))
                .isInstanceOf(PermanentException.class).hasMessageContaining(selector("NotOpen(bytes32,uint8)"));
    }

    @Test
    void wrongPreimageIsRefused() {
        Secret secret = Secret.random();
        TxResult locked = chain.htlcChain(USER).lock(lockOf(HtlcAbi.NATIVE, ETH, secret, chain.now() + 3600));
        assertThatThrownBy(() -> chain.htlcChain(ANYONE).claim(locked.htlcId(), Secret.random()))
                .isInstanceOf(PermanentException.class).hasMessageContaining(selector("WrongPreimage(bytes32)"));
        assertThat(chain.htlcChain(ANYONE).query(locked.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.OPEN);
    }

    @Test
    void refundBeforeExpiryRefusedAfterExpiryPaysSenderAndClaimIsThenRefused() {
        Secret secret = Secret.random();
        TxResult locked = chain.htlcChain(USER).lock(lockOf(HtlcAbi.NATIVE, ETH, secret, chain.now() + 600));
        assertThatThrownBy(() -> chain.htlcChain(ANYONE).refund(locked.htlcId()))
                .isInstanceOf(PermanentException.class).hasMessageContaining(selector("NotExpired(bytes32,uint256)"));

        chain.node.increaseTime(601);
        chain.node.mine(1);
        assertThatThrownBy(() -> chain.htlcChain(ANYONE).claim(locked.htlcId(), secret))
                .isInstanceOf(PermanentException.class).hasMessageContaining(selector("Expired(bytes32,uint256)"));

        BigInteger before = chain.ethBalance(chain.address(USER));
        TxResult refunded = chain.htlcChain(ANYONE).refund(locked.htlcId());
        assertThat(chain.ethBalance(chain.address(USER)).subtract(before)).isEqualTo(ETH);
        assertThat(decodeSingle(receipt(refunded.txHash()))).isInstanceOf(ChainEvent.HtlcRefunded.class);
        assertThat(chain.htlcChain(ANYONE).query(locked.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
        assertThatThrownBy(() -> chain.htlcChain(ANYONE).refund(locked.htlcId()))
                .isInstanceOf(PermanentException.class).hasMessageContaining(selector("NotOpen(bytes32,uint8)"));
    }

    /**
     * The timelock boundary, with the block time of each call set exactly (evm_setNextBlockTimestamp): a claim in the
     * block at timelock - 1 is accepted, at exactly timelock refused; a refund at timelock - 1 is refused, at exactly
     * timelock accepted. For timelocks a few seconds to a day ahead.
     */
    @Test
    void timelockBoundaryClaimBeforeItRefundFromExactlyIt() {
        for (long ahead : new long[] {5, 600, 86_400}) {
            Secret early = Secret.random();
            long t1 = chain.now() + ahead;
            TxResult l1 = chain.htlcChain(USER).lock(lockOf(HtlcAbi.NATIVE, ETH, early, t1));
            chain.node.setNextBlockTimestamp(t1 - 1);
            assertThatThrownBy(() -> chain.htlcChain(ANYONE).refund(l1.htlcId())).as("refund at timelock - 1")
                    .isInstanceOf(PermanentException.class).hasMessageContaining(selector("NotExpired(bytes32,uint256)"));
            TxResult claimed = chain.htlcChain(ANYONE).claim(l1.htlcId(), early);
            assertThat(blockTime(claimed.height())).isEqualTo(t1 - 1);
            assertThat(chain.htlcChain(ANYONE).query(l1.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.CLAIMED);

            Secret late = Secret.random();
            long t2 = chain.now() + ahead;
            TxResult l2 = chain.htlcChain(USER).lock(lockOf(HtlcAbi.NATIVE, ETH, late, t2));
            chain.node.setNextBlockTimestamp(t2);
            assertThatThrownBy(() -> chain.htlcChain(ANYONE).claim(l2.htlcId(), late)).as("claim at exactly timelock")
                    .isInstanceOf(PermanentException.class).hasMessageContaining(selector("Expired(bytes32,uint256)"));
            BigInteger before = chain.ethBalance(chain.address(USER));
            TxResult refunded = chain.htlcChain(ANYONE).refund(l2.htlcId());
            assertThat(blockTime(refunded.height())).isEqualTo(t2);
            assertThat(chain.ethBalance(chain.address(USER)).subtract(before)).isEqualTo(ETH);
            assertThat(chain.htlcChain(ANYONE).query(l2.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.REFUNDED);
        }
    }

    private static long blockTime(long height) {
        return Long.decode(chain.node.rpc("eth_getBlockByNumber", "0x" + Long.toHexString(height), false)
                .get("timestamp").asText());
    }

    @Test
    void standardErc20LockAndClaim() {
        String token = mintAndApprove(chain.deployTest("TestToken"), USER, ETH, true);
        Secret secret = Secret.random();
        Web3jHtlcChain user = chain.htlcChain(USER);
        TxResult locked = user.lock(lockOf(token, ETH, secret, chain.now() + 3600));
        assertThat(user.balance(token, chain.htlc)).isEqualTo(ETH);
        assertThat(((ChainEvent.HtlcLocked) decodeSingle(receipt(locked.txHash()))).htlc().asset()).isEqualTo(token);
        chain.htlcChain(ANYONE).claim(locked.htlcId(), secret);
        assertThat(user.balance(token, chain.address(RECEIVER))).isEqualTo(ETH);
        assertThat(user.balance(token, chain.htlc)).isZero();
    }

    @Test
    void concurrentErc20LocksEachGetTheirAllowance() throws Exception {
        String token = chain.deployTest("TestToken");
        tx(0, token, new Function("mint", List.of(new Address(chain.address(USER)), new Uint256(ETH)), List.of()));
        Web3jHtlcChain user = chain.htlcChain(USER);
        BigInteger each = BigInteger.valueOf(1_000);
        List<java.util.concurrent.Future<TxResult>> fs = new ArrayList<>();
        try (var ex = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 6; i++) {
                fs.add(ex.submit(() -> user.lock(lockOf(token, each, Secret.random(), chain.now() + 3600))));
            }
            for (var f : fs) assertThat(f.get().htlcId()).matches("0x[0-9a-f]{64}");
        }
        assertThat(user.balance(token, chain.htlc)).isEqualTo(each.multiply(BigInteger.valueOf(6)));
    }

    @Test
    void tokenWithoutReturnValueLocksAndRefunds() {
        String token = mintAndApprove(chain.deployTest("NoReturnToken"), USER, ETH, false);
        Web3jHtlcChain user = chain.htlcChain(USER);
        TxResult locked = user.lock(lockOf(token, ETH, Secret.random(), chain.now() + 60));
        assertThat(user.balance(token, chain.address(USER))).isZero();
        chain.node.increaseTime(61);
        chain.node.mine(1);
        chain.htlcChain(ANYONE).refund(locked.htlcId());
        assertThat(user.balance(token, chain.address(USER))).isEqualTo(ETH);
    }

    @Test
    void feeOnTransferTokenIsRejected() {
        String token = mintAndApprove(chain.deployTest("FeeOnTransferToken"), USER, ETH, true);
        assertThatThrownBy(() -> chain.htlcChain(USER).lock(lockOf(token, ETH, Secret.random(), chain.now() + 3600)))
                .isInstanceOf(PermanentException.class)
                .hasMessageContaining(selector("FeeOnTransferNotSupported(uint256,uint256)"));
        assertThat(chain.htlcChain(USER).balance(token, chain.address(USER))).isEqualTo(ETH);
    }

    @Test
    void tokenReturningFalseIsRejected() {
        String token = chain.deployTest("FalseReturnToken");
        assertThatThrownBy(() -> chain.htlcChain(USER).lock(lockOf(token, ETH, Secret.random(), chain.now() + 3600)))
                .isInstanceOf(PermanentException.class).hasMessageContaining(selector("TokenTransferFailed(address)"));
    }

    @Test
    void lockInputValidation() {
        Secret s = Secret.random();
        long now = chain.now();
        EthereumTransactor user = chain.transactor(USER);
        String recv = chain.address(RECEIVER);
        record Case(String data, BigInteger value, String error) {}
        List<Case> cases = List.of(
                new Case(HtlcAbi.lock(recv, HtlcAbi.NATIVE, BigInteger.ZERO, s.hashlock(), now + 3600, "osmosis-1", "osmo1x"),
                        BigInteger.ZERO, "ZeroAmount()"),
                new Case(HtlcAbi.lock(recv, HtlcAbi.NATIVE, ETH, s.hashlock(), now - 1, "osmosis-1", "osmo1x"), ETH,
                        "TimelockNotInFuture(uint256,uint256)"),
                new Case(HtlcAbi.lock(recv, HtlcAbi.NATIVE, ETH, s.hashlock(), now + 31L * 24 * 3600, "osmosis-1", "osmo1x"),
                        ETH, "TimelockTooFar(uint256,uint256)"),
                new Case(HtlcAbi.lock(recv, HtlcAbi.NATIVE, ETH, s.hashlock(), now + 3600, "", "osmo1x"), ETH,
                        "BadTargetChain(uint256)"),
                new Case(HtlcAbi.lock(recv, HtlcAbi.NATIVE, ETH, s.hashlock(), now + 3600, "osmosis-1", "a".repeat(129)), ETH,
                        "BadTargetAddress(uint256)"),
                new Case(HtlcAbi.lock(recv, HtlcAbi.NATIVE, ETH, s.hashlock(), now + 3600, "osmosis-1", "osmo1x"),
                        ETH.subtract(BigInteger.ONE), "ValueMismatch(uint256,uint256)"),
                new Case(HtlcAbi.lock(HtlcAbi.NATIVE, HtlcAbi.NATIVE, ETH, s.hashlock(), now + 3600, "osmosis-1", "osmo1x"),
                        ETH, "ZeroReceiver()"));
        for (Case c : cases) {
            assertThatThrownBy(() -> user.send(new EthereumTransactor.TxRequest(chain.htlc, c.value(), c.data(), null, "lock")))
                    .as(c.error()).isInstanceOf(PermanentException.class).hasMessageContaining(selector(c.error()));
        }
        // the largest accepted target strings (128 bytes) pass
        user.send(new EthereumTransactor.TxRequest(chain.htlc, ETH, HtlcAbi.lock(recv, HtlcAbi.NATIVE, ETH, s.hashlock(),
                now + 3600, "c".repeat(128), "a".repeat(128)), null, "lock"));
    }

    @Test
    void reentrantReceiverCannotClaimAnotherLockFromInsideAPayout() {
        String attacker = chain.deployTest("ReentrancyAttacker", new Address(chain.htlc));
        Secret secret = Secret.random();
        Web3jHtlcChain user = chain.htlcChain(USER);
        TxResult locked = user.lock(new LockRequest(attacker, HtlcAbi.NATIVE, ETH, secret.hashlock(), chain.now() + 3600,
                "osmosis-1", "osmo1x"));
        // a second lock the attacker tries to take from inside the first payout: the status check alone would let
        // that nested claim through (it is a different, open lock), so only the reentrancy guard stops it
        TxResult second = user.lock(new LockRequest(attacker, HtlcAbi.NATIVE, ETH, secret.hashlock(), chain.now() + 3600,
                "osmosis-1", "osmo1y"));
        tx(0, attacker, new Function("arm", List.of(new Bytes32(HtlcAbi.idBytes(second.htlcId())),
                new Bytes32(secret.bytes()), new Uint8(1)), List.of()));
        BigInteger htlcBefore = chain.ethBalance(chain.htlc);
        chain.htlcChain(ANYONE).claim(locked.htlcId(), secret);
        assertThat(chain.ethBalance(attacker)).isEqualTo(ETH);
        assertThat(htlcBefore.subtract(chain.ethBalance(chain.htlc))).isEqualTo(ETH);
        assertThat(chain.node.rpc("eth_call", java.util.Map.of("to", attacker, "data",
                FunctionEncoder.encode(new Function("reentrySucceeded", List.of(), List.of()))), "latest").asText())
                .isEqualTo("0x" + "0".repeat(64));
        assertThat(chain.node.rpc("eth_call", java.util.Map.of("to", attacker, "data",
                FunctionEncoder.encode(new Function("attempts", List.of(), List.of()))), "latest").asText())
                .as("the attacker did try to re-enter").isEqualTo("0x" + "0".repeat(63) + "1");
        assertThat(chain.htlcChain(ANYONE).query(second.htlcId()).orElseThrow().status()).isEqualTo(HtlcRecord.Status.OPEN);
    }

    @Test
    void deployerPutsTheCompiledContractOnChain() {
        String address = HtlcDeployer.deploy(HardhatChain.CHAIN, chain.node.url(), chain.node.devPrivateKeys().get(9));
        String code = chain.node.rpc("eth_getCode", address, "latest").asText();
        String deployed = EvmoreHtlcArtifact.load(EvmoreHtlcArtifact.RESOURCE).get("deployedBytecode").asText();
        assertThat(code).isEqualTo(deployed);
        assertThatThrownBy(() -> HtlcDeployer.deploy(HardhatChain.CHAIN, chain.node.url(), "0xnot-a-key"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("not-a-key");
    }

    @Test
    void adapterRejectsBadRequestsBeforeSendingAnything() {
        Web3jHtlcChain user = chain.htlcChain(USER);
        Secret s = Secret.random();
        assertThatThrownBy(() -> user.lock(new LockRequest("osmo1notanaddress", HtlcAbi.NATIVE, ETH, s.hashlock(),
                chain.now() + 60, "osmosis-1", "osmo1x"))).isInstanceOf(PermanentException.class)
                .hasMessageContaining("lock receiver");
        assertThatThrownBy(() -> user.lock(new LockRequest(chain.address(RECEIVER), "uosmo", ETH, s.hashlock(),
                chain.now() + 60, "osmosis-1", "osmo1x"))).hasMessageContaining("lock asset");
        assertThatThrownBy(() -> user.lock(new LockRequest(chain.address(RECEIVER), HtlcAbi.NATIVE, ETH, s.hashlock(),
                chain.now() + 60, "osmosis-1", "x".repeat(129)))).hasMessageContaining("targetAddress");
        assertThatThrownBy(() -> user.claim("htlc_1", s)).isInstanceOf(PermanentException.class)
                .hasMessageContaining("invalid Ethereum HTLC id");
        var claim = new EthereumTransactor.TxRequest(chain.htlc, BigInteger.ZERO, HtlcAbi.claim("0x" + "00".repeat(32), s), null, "claim");
        assertThat(claim.toString()).doesNotContain(s.hex());
    }

    @Test
    void queryOfUnknownIdIsEmptyAndBadIdIsRejected() {
        assertThat(chain.htlcChain(ANYONE).query("0x" + "ab".repeat(32))).isEmpty();
        assertThatThrownBy(() -> chain.htlcChain(ANYONE).query("0x1234")).isInstanceOf(PermanentException.class)
                .hasMessageContaining("invalid Ethereum HTLC id");
    }
}
