package io.evmore.app.swap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Who signs on one chain: a named funded account of the network file ({@code --account}) or a key file
 * ({@code --key-file}: a hex private key on Ethereum, a BIP-39 mnemonic on Cosmos; owner-only). The state file keeps
 * this reference, never the key itself.
 */
public record Signer(String account, Path keyFile) {

    public static Signer account(String name) {
        return new Signer(name, null);
    }

    public static Signer keyFile(Path file) {
        return new Signer(null, file.toAbsolutePath());
    }

    /** The key or mnemonic for {@code chain}; never printed. {@code option} names the option in errors. */
    public String secretFor(Network.Chain chain, String option) {
        if (keyFile != null) {
            if (!Files.isReadable(keyFile)) throw new SwapInputException(option + ": cannot read key file " + keyFile);
            try {
                try {
                    Set<PosixFilePermission> p = Files.getPosixFilePermissions(keyFile);
                    if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                        throw new SwapInputException(option + ": key file " + keyFile + " is readable by others; chmod 600 it");
                    }
                } catch (UnsupportedOperationException e) {
                    // not POSIX
                }
                String v = Files.readString(keyFile).strip();
                boolean ok = chain.isEthereum() ? v.matches("(0x)?[0-9a-fA-F]{64}") : v.split("\\s+").length >= 12;
                if (!ok) {
                    throw new SwapInputException(option + ": key file " + keyFile + " does not hold " + (chain.isEthereum()
                            ? "a 32-byte hex private key" : "a BIP-39 mnemonic") + " for " + chain.id() + " (contents not shown)");
                }
                return v;
            } catch (IOException e) {
                throw new SwapInputException(option + ": cannot read key file " + keyFile + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        java.util.Map<String, String> accounts = chain instanceof Network.EthChain e ? e.accountKeys()
                : ((Network.CosmosChain) chain).accountMnemonics();
        String v = accounts.get(account);
        if (v == null) {
            throw new SwapInputException(option + ": unknown account '" + account + "' on " + chain.id() + "; known: "
                    + String.join(", ", accounts.keySet()));
        }
        return v;
    }

    public ObjectNode toJson() {
        ObjectNode o = Network.JSON.createObjectNode();
        if (keyFile != null) o.put("key_file", keyFile.toString()); else o.put("account", account);
        return o;
    }

    public static Signer fromJson(JsonNode o) {
        return o.hasNonNull("key_file") ? new Signer(null, Path.of(o.get("key_file").asText())) : new Signer(o.path("account").asText(), null);
    }

    @Override
    public String toString() {
        return keyFile != null ? "key file " + keyFile : "account " + account;
    }
}
