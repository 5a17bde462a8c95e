package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.swap.Secret;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.core.methods.response.Log;

class HtlcLogDecoderTest {
    static final String CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    static final String ID = "0x" + "11".repeat(32);
    static final long NOW = 1_800_000_000L;
    final HtlcLogDecoder decoder = new HtlcLogDecoder(ChainId.evm(31337), CONTRACT);

    static String addrTopic(String a) {
        return "0x" + "0".repeat(24) + a.substring(2);
    }

    static Log log(String address, List<String> topics, String data) {
        return new Log(false, "0x0", "0x1", "0x" + "aa".repeat(32), "0x" + "bb".repeat(32), "0x10", address, data, null,
                topics);
    }

    static String lockedData(BigInteger amount, long timelock, String chain, String addr) {
        return "0x" + FunctionEncoder.encodeConstructor(List.of(new Address(HtlcAbi.NATIVE), new Uint256(amount),
                new Bytes32(new byte[32]), new Uint256(timelock), new Utf8String(chain), new Utf8String(addr)));
    }

    static List<String> lockedTopics() {
        return List.of(HtlcAbi.LOCKED_TOPIC, ID, addrTopic("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"),
                addrTopic("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"));
    }

    HtlcLogDecoder.DropReason dropReason(Log l) {
        return ((HtlcLogDecoder.Dropped) decoder.decode(l, NOW)).reason();
    }

    @Test
    void decodesAValidLockedLog() {
        var r = decoder.decode(log(CONTRACT.toUpperCase().replace("0X", "0x"), lockedTopics(),
                lockedData(BigInteger.TEN, NOW + 3600, "osmosis-1", "osmo1x")), NOW);
        var locked = (ChainEvent.HtlcLocked) ((HtlcLogDecoder.Decoded) r).event();
        assertThat(locked.htlc().id()).isEqualTo(ID);
        assertThat(locked.htlc().sender()).isEqualTo("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        assertThat(locked.htlc().timelock()).isEqualTo(NOW + 3600);
        assertThat(locked.origin().height()).isEqualTo(16);
        assertThat(locked.origin().index()).isZero();
    }

    @Test
    void withTheRelayerAddressALockForItOnAnotherContractIsDecodedWithThatContractAndNothingElseIs() {
        String other = "0x" + "ee".repeat(20);
        String relayer = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"; // the receiver in lockedTopics()
        var withRelayer = new HtlcLogDecoder(ChainId.evm(31337), CONTRACT, relayer.toUpperCase().replace("0X", "0x"));
        String data = lockedData(BigInteger.TEN, NOW + 3600, "osmosis-1", "osmo1x");
        var r = withRelayer.decode(log(other, lockedTopics(), data), NOW);
        var locked = (ChainEvent.HtlcLocked) ((HtlcLogDecoder.Decoded) r).event();
        assertThat(locked.contract()).isEqualTo(other);
        assertThat(locked.htlc().receiver()).isEqualTo(relayer);
        var own = (ChainEvent.HtlcLocked) ((HtlcLogDecoder.Decoded) withRelayer.decode(log(CONTRACT, lockedTopics(), data), NOW)).event();
        assertThat(own.contract()).isEqualTo(CONTRACT);
        // same validation for the other contract's lock
        assertThat(((HtlcLogDecoder.Dropped) withRelayer.decode(log(other, lockedTopics(),
                lockedData(BigInteger.ZERO, NOW + 3600, "osmosis-1", "osmo1x")), NOW)).reason())
                .isEqualTo(HtlcLogDecoder.DropReason.BAD_AMOUNT);
        List<String> forSomeoneElse = List.of(HtlcAbi.LOCKED_TOPIC, ID, addrTopic("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"),
                addrTopic("0x" + "12".repeat(20)));
        assertThat(((HtlcLogDecoder.Dropped) withRelayer.decode(log(other, forSomeoneElse, data), NOW)).reason())
                .isEqualTo(HtlcLogDecoder.DropReason.WRONG_CONTRACT);
        assertThat(((HtlcLogDecoder.Dropped) withRelayer.decode(log(other, List.of(HtlcAbi.CLAIMED_TOPIC, ID),
                "0x" + "42".repeat(32)), NOW)).reason()).isEqualTo(HtlcLogDecoder.DropReason.WRONG_CONTRACT);
        assertThat(dropReason(log(other, lockedTopics(), data))).as("without the relayer address")
                .isEqualTo(HtlcLogDecoder.DropReason.WRONG_CONTRACT);
    }

    @Test
    void dropsEachKindOfBadLogWithItsReason() {
        String good = lockedData(BigInteger.TEN, NOW + 3600, "osmosis-1", "osmo1x");
        assertThat(dropReason(log("0x" + "99".repeat(20), lockedTopics(), good))).isEqualTo(HtlcLogDecoder.DropReason.WRONG_CONTRACT);
        assertThat(dropReason(new Log(true, "0x0", "0x1", "0x" + "aa".repeat(32), "0x" + "bb".repeat(32), "0x10", CONTRACT,
                good, null, lockedTopics()))).isEqualTo(HtlcLogDecoder.DropReason.REMOVED);
        assertThat(dropReason(log(CONTRACT, List.of("0x" + "ab".repeat(32), ID), "0x")))
                .isEqualTo(HtlcLogDecoder.DropReason.UNKNOWN_EVENT);
        assertThat(dropReason(log(CONTRACT, lockedTopics(), lockedData(BigInteger.ZERO, NOW + 3600, "c", "a"))))
                .isEqualTo(HtlcLogDecoder.DropReason.BAD_AMOUNT);
        assertThat(dropReason(log(CONTRACT, lockedTopics(), lockedData(BigInteger.TWO.pow(200), NOW + 3600, "c", "a"))))
                .isEqualTo(HtlcLogDecoder.DropReason.BAD_AMOUNT);
        assertThat(dropReason(log(CONTRACT, lockedTopics(), lockedData(BigInteger.TEN, NOW + 40L * 86400, "c", "a"))))
                .isEqualTo(HtlcLogDecoder.DropReason.BAD_TIMELOCK);
        assertThat(dropReason(log(CONTRACT, lockedTopics(), lockedData(BigInteger.TEN, NOW + 3600, "c", "a".repeat(129)))))
                .isEqualTo(HtlcLogDecoder.DropReason.OVERSIZED_STRING);
        assertThat(dropReason(log(CONTRACT, lockedTopics(), lockedData(BigInteger.TEN, NOW + 3600, "c", "a\u0000b"))))
                .isEqualTo(HtlcLogDecoder.DropReason.MALFORMED);
        assertThat(dropReason(log(CONTRACT, lockedTopics(), "0xdeadbeef"))).isEqualTo(HtlcLogDecoder.DropReason.MALFORMED);
        assertThat(dropReason(log(CONTRACT, lockedTopics(), "0xzz"))).isEqualTo(HtlcLogDecoder.DropReason.MALFORMED);
        assertThat(dropReason(log(CONTRACT, List.of(HtlcAbi.LOCKED_TOPIC, ID,
                "0x" + "ff".repeat(32), addrTopic("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc")), good)))
                .isEqualTo(HtlcLogDecoder.DropReason.MALFORMED);
        // a string length pointer far outside the data must not blow up the decoder
        String hostile = good.substring(0, 2 + 64 * 4) + "f".repeat(64) + good.substring(2 + 64 * 5);
        assertThat(decoder.decode(log(CONTRACT, lockedTopics(), hostile), NOW)).isInstanceOf(HtlcLogDecoder.Dropped.class);
    }

    @Test
    void claimedCarriesTheSecretAndMustBeExactly32Bytes() {
        Secret s = Secret.random();
        var ok = (ChainEvent.HtlcClaimed) ((HtlcLogDecoder.Decoded) decoder.decode(
                log(CONTRACT, List.of(HtlcAbi.CLAIMED_TOPIC, ID), "0x" + s.hex()), NOW)).event();
        assertThat(ok.secret()).isEqualTo(s);
        assertThat(dropReason(log(CONTRACT, List.of(HtlcAbi.CLAIMED_TOPIC, ID), "0x" + s.hex() + "00")))
                .isEqualTo(HtlcLogDecoder.DropReason.MALFORMED);
        assertThat(dropReason(log(CONTRACT, List.of(HtlcAbi.REFUNDED_TOPIC, ID), "0x00")))
                .isEqualTo(HtlcLogDecoder.DropReason.MALFORMED);
    }
}
