package io.evmore.devnet.crypto;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.digests.SHA256Digest;

/** secp256k1 ECDSA over sha256 with 64-byte R‖S signatures, low-S only (as the SDK verifies). */
public final class Secp256k1 {
    private static final X9ECParameters CURVE = CustomNamedCurves.getByName("secp256k1");
    private static final ECDomainParameters DOMAIN =
            new ECDomainParameters(CURVE.getCurve(), CURVE.getG(), CURVE.getN(), CURVE.getH());
    private static final BigInteger HALF_N = CURVE.getN().shiftRight(1);

    private Secp256k1() {}

    /** True iff {@code sig} is a valid low-S signature of sha256({@code message}) by {@code compressedPubKey}. */
    public static boolean verify(byte[] compressedPubKey, byte[] message, byte[] sig) {
        if (sig == null || sig.length != 64 || compressedPubKey == null || compressedPubKey.length != 33) {
            return false;
        }
        BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 0, 32));
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64));
        if (r.signum() == 0 || s.signum() == 0 || r.compareTo(CURVE.getN()) >= 0 || s.compareTo(HALF_N) > 0) {
            return false;
        }
        try {
            ECPublicKeyParameters pub = new ECPublicKeyParameters(CURVE.getCurve().decodePoint(compressedPubKey), DOMAIN);
            ECDSASigner signer = new ECDSASigner();
            signer.init(false, pub);
            return signer.verifySignature(AddressDerivation.sha256(message), r, s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Deterministic (RFC 6979) low-S signature of sha256(message), 64 bytes R‖S. */
    public static byte[] sign(BigInteger privateKey, byte[] message) {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(privateKey, DOMAIN));
        BigInteger[] rs = signer.generateSignature(AddressDerivation.sha256(message));
        BigInteger s = rs[1].compareTo(HALF_N) > 0 ? CURVE.getN().subtract(rs[1]) : rs[1];
        byte[] out = new byte[64];
        put32(rs[0], out, 0);
        put32(s, out, 32);
        return out;
    }

    public static byte[] publicKey(BigInteger privateKey) {
        return CURVE.getG().multiply(privateKey).normalize().getEncoded(true);
    }

    private static void put32(BigInteger v, byte[] out, int off) {
        byte[] b = v.toByteArray();
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, off + 32 - len, len);
    }
}
