package io.evmore.app.swap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.core.chain.ChainId;
import io.evmore.cosmos.CosmosSettings;
import io.evmore.cosmos.key.Bech32Address;
import io.evmore.ethereum.EthereumSettings;
import io.evmore.ethereum.HtlcAbi;
import io.evmore.pool.Endpoint;
import io.evmore.swapper.CosmosUserChain;
import io.evmore.swapper.EthereumUserChain;
import io.evmore.swapper.UserChain;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chains a swapper talks to, read from a file in the {@code devnet.json} format (devnet/README.md): the Ethereum
 * chain (RPC, HTLC contract, assets), the Cosmos chains (RPC, prefix, denom, HTLC contract), the relayer's address on
 * each chain and, for local chains, named funded accounts. The same format describes any other network (leave out
 * the accounts and give key files instead).
 */
public final class Network {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One asset on one chain: {@code id} is what the contract knows (token address, 0x0…0, or denom). */
    public record Asset(String chain, String symbol, String id, int decimals) {}

    public sealed interface Chain permits EthChain, CosmosChain {
        String id();

        boolean isEthereum();

        /** Whether {@code address} is a well-formed account address here. */
        boolean validAddress(String address);

        String addressFormat();
    }

    public record EthChain(String id, String rpc, String htlc, Map<String, Asset> assets, Map<String, String> accountKeys)
            implements Chain {
        public boolean isEthereum() {
            return true;
        }

        public boolean validAddress(String a) {
            return a != null && a.matches("0x[0-9a-fA-F]{40}") && !a.equalsIgnoreCase(HtlcAbi.NATIVE);
        }

        public String addressFormat() {
            return "a 0x address of 40 hex digits";
        }
    }

    public record CosmosChain(String id, String prefix, String denom, int decimals, List<String> rpc, String htlc,
            BigDecimal gasPrice, Map<String, String> accountMnemonics) implements Chain {
        public boolean isEthereum() {
            return false;
        }

        public boolean validAddress(String a) {
            return a != null && Bech32Address.isValid(a, prefix);
        }

        public String addressFormat() {
            return "a bech32 address starting with " + prefix + "1";
        }
    }

    private final Path file;
    private final Map<String, Chain> chains;
    private final Map<String, String> relayer;
    /** Multi-hop destinations: what the relayer's counter-lock holds there (devnet.json {@code routes.*.arrives_as}). */
    private final Map<String, String> arrivals;

    private Network(Path file, Map<String, Chain> chains, Map<String, String> relayer, Map<String, String> arrivals) {
        this.arrivals = Map.copyOf(arrivals);
        this.file = file;
        this.chains = chains;
        this.relayer = relayer;
    }

    /** Reads the file; a missing or malformed file is a {@link SwapInputException} naming it. */
    public static Network load(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SwapInputException("--devnet: no such file " + file);
        } catch (IOException e) {
            throw new SwapInputException("--devnet: " + file + " is not readable JSON (" + e.getClass().getSimpleName() + ")");
        }
        try {
            Map<String, Chain> chains = new LinkedHashMap<>();
            JsonNode e = root.path("ethereum");
            if (e.isObject()) {
                String id = text(e, "chain_id");
                Map<String, Asset> assets = new LinkedHashMap<>();
                assets.put("ETH", new Asset(id, "ETH", HtlcAbi.NATIVE, e.path("native").path("decimals").asInt(18)));
                for (JsonNode t : e.path("tokens")) {
                    assets.put(text(t, "symbol").toUpperCase(Locale.ROOT),
                            new Asset(id, text(t, "symbol"), text(t, "address").toLowerCase(Locale.ROOT), t.path("decimals").asInt(18)));
                }
                Map<String, String> keys = new LinkedHashMap<>();
                for (JsonNode a : e.path("accounts")) keys.put(text(a, "name"), text(a, "private_key"));
                chains.put(id, new EthChain(id, text(e, "rpc"), text(e, "htlc_contract"), assets, keys));
            }
            Map<String, Map<String, String>> mnemonics = new LinkedHashMap<>();
            for (JsonNode c : root.path("chains")) {
                String id = text(c, "chain_id");
                List<String> rpc = new ArrayList<>();
                c.path("rpc").forEach(r -> rpc.add(r.asText()));
                String denom = text(c, "denom");
                BigDecimal gas = new BigDecimal("0.025");
                String min = c.path("min_gas_price").asText("");
                if (min.endsWith(denom) && !min.equals(denom)) gas = gas.max(new BigDecimal(min.substring(0, min.length() - denom.length())));
                Map<String, String> m = new LinkedHashMap<>();
                mnemonics.put(id, m);
                chains.put(id, new CosmosChain(id, text(c, "prefix"), denom, c.path("decimals").asInt(6), rpc, text(c, "htlc_contract"), gas, m));
            }
            for (JsonNode a : root.path("accounts")) {
                mnemonics.values().forEach(m -> m.put(text(a, "name"), text(a, "mnemonic")));
            }
            Map<String, String> relayer = new LinkedHashMap<>();
            root.path("relayer").fields().forEachRemaining(en -> relayer.put(en.getKey(), en.getValue().asText()));
            Map<String, String> arrivals = new LinkedHashMap<>();
            root.path("routes").fields().forEachRemaining(en -> arrivals.put(en.getKey(), text(en.getValue(), "arrives_as")));
            if (chains.isEmpty()) throw new SwapInputException("--devnet: " + file + " describes no chains");
            return new Network(file.toAbsolutePath(), chains, relayer, arrivals);
        } catch (IllegalArgumentException | NullPointerException ex) {
            throw new SwapInputException("--devnet: " + file + " is not in the devnet.json format: " + ex.getMessage());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.asText().isBlank()) throw new IllegalArgumentException("missing \"" + field + "\"");
        return v.asText();
    }

    public Path file() {
        return file;
    }

    /** The chain called {@code id}, or a {@link SwapInputException} naming it and the known ones. */
    public Chain chain(String option, String id) {
        Chain c = chains.get(id);
        if (c == null) {
            throw new SwapInputException(option + ": unknown chain '" + id + "'; known: " + String.join(", ", chains.keySet()));
        }
        return c;
    }

    public List<Chain> chains() {
        return List.copyOf(chains.values());
    }

    /** The relayer's address on {@code chain}, or null if the file does not say. */
    public String relayerAddress(String chain) {
        return relayer.get(chain);
    }

    /**
     * The asset called {@code name} on {@code chain}: on Ethereum ETH, a token symbol or a listed token address; on a
     * Cosmos chain its denom.
     */
    public Asset asset(Chain chain, String option, String name) {
        if (chain instanceof EthChain e) {
            String key = name.toUpperCase(Locale.ROOT);
            if (key.equals("NATIVE") || name.equalsIgnoreCase(HtlcAbi.NATIVE)) key = "ETH";
            Asset a = e.assets().get(key);
            if (a == null) {
                a = e.assets().values().stream().filter(x -> x.id().equalsIgnoreCase(name)).findFirst().orElse(null);
            }
            if (a == null) {
                throw new SwapInputException(option + ": unknown asset '" + name + "' on " + e.id() + "; known: "
                        + String.join(", ", e.assets().keySet()));
            }
            return a;
        }
        CosmosChain c = (CosmosChain) chain;
        if (name.matches("ibc/[0-9A-F]{64}")) {
            return new Asset(c.id(), name, name, c.decimals()); // a voucher delivered over IBC keeps its origin's decimals (6 on the devnet)
        }
        if (!name.equals(c.denom())) {
            throw new SwapInputException(option + ": unknown asset '" + name + "' on " + c.id() + "; known: " + c.denom());
        }
        return new Asset(c.id(), c.denom(), c.denom(), c.decimals());
    }

    /**
     * The default asset on a destination chain: ETH on Ethereum; on a Cosmos chain its denom, or on a multi-hop
     * destination what the relayer's counter-lock holds there (its {@code ibc/…} voucher).
     */
    public Asset defaultAsset(Chain chain) {
        if (chain instanceof EthChain e) return e.assets().get("ETH");
        String arriving = arrivals.get(chain.id());
        return asset(chain, "--to-asset", arriving != null ? arriving : ((CosmosChain) chain).denom());
    }

    /** Connects to {@code chain} signing with {@code secret} (a private key on Ethereum, a mnemonic on Cosmos). */
    public static UserChain connect(Chain chain, String secret) {
        if (chain instanceof EthChain e) {
            return new EthereumUserChain(EthereumSettings.of(ChainId.of(e.id()), List.of(new Endpoint("rpc-0", e.rpc())), e.htlc())
                    .withConfirmations(1).withPolling(Duration.ofMillis(250), 2_000).withReceiptTimeout(Duration.ofSeconds(90)), secret);
        }
        CosmosChain c = (CosmosChain) chain;
        return new CosmosUserChain(CosmosSettings.of(ChainId.of(c.id()), c.prefix(), c.denom(), c.rpc(), c.gasPrice(), c.htlc()), secret);
    }
}
