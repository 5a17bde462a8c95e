package io.evmore.app.relay;

import io.evmore.app.config.RelayerConfig;
import io.evmore.app.secrets.RelayerKeys;
import io.evmore.cosmos.key.CosmosSigner;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.jcajce.provider.digest.Keccak;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The relayer's signing addresses (chain id → address) from its keys, without building the chain adapters: what a
 * process checks against the addresses its database belongs to before it waits for the lease, so that a standby with
 * other keys is refused at once. (The adapters' own addresses are what is recorded once the process holds the lease;
 * they are the same, see RelayerAddressesTest.)
 */
public final class RelayerAddresses {
    private RelayerAddresses() {}

    /** Every configured chain whose key is known; a chain without a configured key is left out. */
    public static Map<String, String> of(RelayerConfig c, RelayerKeys keys) {
        Map<String, String> out = new LinkedHashMap<>();
        if (keys == null) return out;
        var eth = c.chains().ethereum();
        if (eth != null && keys.ethereumPrivateKey() != null) out.put(eth.chainId(), ethereum(keys.ethereumPrivateKey()));
        if (keys.cosmosMnemonic() != null && !c.chains().cosmos().isEmpty()) {
            CosmosSigner signer = CosmosSigner.fromMnemonic(keys.cosmosMnemonic());
            for (var cc : c.chains().cosmos()) out.put(cc.chainId(), signer.address(cc.prefix()).toString());
        }
        return out;
    }

    /** The Ethereum address of a hex private key: the last 20 bytes of keccak256 of the uncompressed public key. */
    static String ethereum(String privateKeyHex) {
        String hex = privateKeyHex.startsWith("0x") || privateKeyHex.startsWith("0X") ? privateKeyHex.substring(2) : privateKeyHex;
        X9ECParameters curve = CustomNamedCurves.getByName("secp256k1");
        ECPoint q = curve.getG().multiply(new BigInteger(hex, 16)).normalize();
        byte[] pub = q.getEncoded(false); // 0x04 || X || Y
        byte[] hash = new Keccak.Digest256().digest(java.util.Arrays.copyOfRange(pub, 1, pub.length));
        return "0x" + HexFormat.of().formatHex(hash, 12, 32);
    }
}
