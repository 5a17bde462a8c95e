package io.evmore.app.swap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.TxResult;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.swapper.Swapper;
import io.evmore.swapper.UserChain;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The swapper CLI's work, on the swapper library: start (check the input, make and store the secret, lock, wait for
 * the counter-lock, check it, claim or refuse), status and refund. The demo runs the same code. Every bad input is a
 * {@link SwapInputException} thrown before anything is sent; the secret only ever goes to the state file.
 */
public final class SwapSession {
    /** Status values of a stored swap. */
    public static final String LOCKING = "LOCKING", LOCKED = "LOCKED", CLAIMED = "CLAIMED", REFUSED = "REFUSED",
            FAILED = "FAILED", REFUNDED = "REFUNDED";

    /**
     * What the user asked for. Amounts are decimal whole units of the asset; {@code minReceive} null accepts any
     * amount; {@code relayer} null takes the relayer's address from the network file.
     */
    public record StartRequest(Network network, String from, String to, String amount, String asset, String receiver,
            String toAsset, String minReceive, long minClaimWindowSeconds, long timelockSeconds, long waitSeconds,
            Signer source, Signer claimer, String relayer) {}

    private final SwapStateStore store;
    private final Consumer<String> out;
    private final long started = System.nanoTime();
    private volatile Consumer<Hashlock> onLocked = h -> {};

    /** @param progress hears one line per step, prefixed with the elapsed time */
    public SwapSession(SwapStateStore store, Consumer<String> progress) {
        this.store = store;
        this.out = progress == null ? s -> {} : progress;
    }

    /** Called with the hashlock once the source lock is sent (the demo follows the relayer's record of it). */
    public SwapSession onLocked(Consumer<Hashlock> listener) {
        this.onLocked = listener;
        return this;
    }

    private void say(String line) {
        out.accept(String.format("[%6.1fs] %s", (System.nanoTime() - started) / 1e9, line));
    }

    /**
     * Runs a swap to its end for the user: returns the stored state with status {@link #CLAIMED}, or
     * {@link #REFUSED} (with the reason; the user refunds after the source timelock).
     */
    public ObjectNode start(StartRequest r) {
        Network net = r.network();
        Network.Chain from = net.chain("--from", r.from());
        Network.Chain to = net.chain("--to", r.to());
        if (from.id().equals(to.id())) throw new SwapInputException("--to: must differ from --from (" + from.id() + ")");
        if (from.isEthereum() == to.isEthereum()) {
            throw new SwapInputException("--to: swaps go between Ethereum and a Cosmos chain; " + from.id() + " -> " + to.id() + " is not one");
        }
        Network.Asset asset = net.asset(from, "--asset", r.asset());
        BigInteger amount = Amounts.parse("--amount", r.amount(), asset.decimals(), asset.symbol());
        if (r.receiver() == null || !to.validAddress(r.receiver())) {
            throw new SwapInputException("--receiver: '" + r.receiver() + "' is not a valid address on " + to.id() + "; expected "
                    + to.addressFormat());
        }
        Network.Asset toAsset = r.toAsset() == null ? net.defaultAsset(to) : net.asset(to, "--to-asset", r.toAsset());
        BigInteger minReceive = r.minReceive() == null ? BigInteger.ONE
                : Amounts.parse("--min-receive", r.minReceive(), toAsset.decimals(), toAsset.symbol());
        if (r.timelockSeconds() < 120 || r.timelockSeconds() > 2_592_000) {
            throw new SwapInputException("--timelock-seconds: must be between 120 and 2592000 (30 days), got " + r.timelockSeconds());
        }
        if (r.minClaimWindowSeconds() < 1 || r.minClaimWindowSeconds() >= r.timelockSeconds()) {
            throw new SwapInputException("--min-claim-window: must be at least 1 and less than --timelock-seconds ("
                    + r.timelockSeconds() + "), got " + r.minClaimWindowSeconds());
        }
        if (r.waitSeconds() < 1) throw new SwapInputException("--wait-seconds: must be at least 1, got " + r.waitSeconds());
        String relayer = r.relayer() != null ? r.relayer() : net.relayerAddress(from.id());
        if (relayer == null || !from.validAddress(relayer)) {
            throw new SwapInputException("--relayer: " + (relayer == null ? "the network file names no relayer on " + from.id()
                    : "'" + relayer + "' is not a valid address on " + from.id()) + "; pass --relayer ADDRESS");
        }
        String sourceKey = r.source().secretFor(from, "--account/--key-file");
        String claimKey = r.claimer().secretFor(to, "--claim-account/--claim-key-file");

        try (UserChain src = Network.connect(from, sourceKey); UserChain dst = Network.connect(to, claimKey)) {
            String me = src.address();
            BigInteger balance = src.balanceOf(asset.id(), me);
            if (balance.compareTo(amount) < 0) {
                throw new SwapInputException("--amount: insufficient balance: " + me + " holds " + Amounts.format(balance, asset.decimals())
                        + " " + asset.symbol() + " on " + from.id() + ", the swap needs " + r.amount());
            }
            long tSrc = src.htlc().latestBlockTime() + r.timelockSeconds();
            Secret secret = Secret.random();
            String h = secret.hashlock().hex();
            ObjectNode s = Network.JSON.createObjectNode();
            s.put("hashlock", h).put("secret", secret.hex()).put("status", LOCKING).put("network", net.file().toString())
                    .put("from", from.id()).put("to", to.id()).put("asset", asset.id()).put("asset_symbol", asset.symbol())
                    .put("asset_decimals", asset.decimals()).put("amount", amount.toString()).put("sender", me)
                    .put("receiver", r.receiver()).put("to_asset", toAsset.id()).put("to_asset_symbol", toAsset.symbol())
                    .put("to_asset_decimals", toAsset.decimals()).put("min_receive", minReceive.toString()).put("relayer", relayer)
                    .put("source_timelock", tSrc).put("created_at", Instant.now().toString());
            s.set("source_signer", r.source().toJson());
            s.set("claim_signer", r.claimer().toJson());
            store.save(s); // the secret is safe on disk before any funds move
            say("swap " + h + ": " + r.amount() + " " + asset.symbol() + " from " + from.id() + " to " + r.receiver() + " on "
                    + to.id() + "; secret stored in " + store.file(h));

            Swapper swapper = new Swapper(this::say);
            Swapper.Locked locked;
            try {
                locked = swapper.lock(src, secret, relayer, asset.id(), amount, ChainId.of(to.id()), r.receiver(), tSrc);
            } catch (RuntimeException e) {
                s.put("status", FAILED).put("reason", "source lock failed: " + e.getMessage());
                store.save(s);
                throw e;
            }
            s.put("status", LOCKED).put("source_htlc_id", locked.sourceLock().htlcId()).put("source_tx", locked.sourceLock().txHash());
            store.save(s);
            onLocked.accept(secret.hashlock());

            Swapper.Terms terms = new Swapper.Terms(minReceive, Duration.ofSeconds(r.minClaimWindowSeconds()),
                    Duration.ofSeconds(r.waitSeconds()), toAsset.id());
            say(to.id() + ": waiting up to " + r.waitSeconds() + " s for the relayer's counter-lock (at least "
                    + Amounts.format(minReceive, toAsset.decimals()) + " " + toAsset.symbol() + ", at least " + r.minClaimWindowSeconds()
                    + " s to claim)");
            HtlcRecord counter;
            try {
                // A counter-lock delivered over IBC is created by the hooks' derived sender, not the relayer's own address
                // on the final chain: there the amount, asset, hashlock and claim window are what the user checks.
                String counterSender = toAsset.id().startsWith("ibc/") ? null : net.relayerAddress(to.id());
                counter = swapper.awaitCounterLock(dst, r.receiver(), counterSender, locked, terms);
            } catch (Swapper.CounterLockRefused e) {
                s.put("status", REFUSED).put("reason", e.getMessage());
                store.save(s);
                say("refused: " + e.getMessage() + "; refund after " + Instant.ofEpochSecond(tSrc) + " with: ./evmore swap refund " + h);
                return s;
            }
            s.put("counter_htlc_id", counter.id()).put("counter_amount", counter.amount().toString())
                    .put("counter_timelock", counter.timelock());
            store.save(s);
            TxResult claim = swapper.claim(dst, counter, locked);
            s.put("status", CLAIMED).put("claim_tx", claim.txHash());
            store.save(s);
            say("done: " + r.receiver() + " received " + Amounts.format(counter.amount(), toAsset.decimals()) + " " + toAsset.symbol()
                    + " on " + to.id() + "; the relayer now claims the source lock with the revealed secret");
            return s;
        }
    }

    /** The stored swap with the chains' view of its locks (network from the state unless {@code override}). */
    public ObjectNode status(String hashlock, Path networkOverride) {
        ObjectNode s = store.load(hashlock);
        Network net = Network.load(networkOverride != null ? networkOverride : Path.of(s.get("network").asText()));
        Network.Chain from = net.chain("from", s.get("from").asText());
        Network.Chain to = net.chain("to", s.get("to").asText());
        ObjectNode view = s.deepCopy();
        view.remove("secret");
        view.put("state_file", store.file(s.get("hashlock").asText()).toString());
        try (UserChain src = Network.connect(from, Signer.fromJson(s.get("source_signer")).secretFor(from, "source signer"))) {
            if (s.hasNonNull("source_htlc_id")) {
                Optional<HtlcRecord> h = src.htlc().query(s.get("source_htlc_id").asText());
                view.put("source_lock_status", h.map(x -> x.status().name()).orElse("NOT_FOUND"));
                long now = src.htlc().latestBlockTime();
                view.put("source_expires_in_seconds", s.get("source_timelock").asLong() - now);
            }
        }
        if (s.hasNonNull("counter_htlc_id")) {
            try (UserChain dst = Network.connect(to, Signer.fromJson(s.get("claim_signer")).secretFor(to, "claim signer"))) {
                view.put("counter_lock_status", dst.htlc().query(s.get("counter_htlc_id").asText()).map(x -> x.status().name()).orElse("NOT_FOUND"));
            }
        }
        return view;
    }

    /** Refunds the user's source lock after it expired; a {@link SwapInputException} says why not yet or not at all. */
    public ObjectNode refund(String hashlock, Path networkOverride) {
        ObjectNode s = store.load(hashlock);
        if (!s.hasNonNull("source_htlc_id")) {
            throw new SwapInputException("HASHLOCK: swap " + s.get("hashlock").asText() + " never locked funds (status "
                    + s.path("status").asText() + "); nothing to refund");
        }
        Network net = Network.load(networkOverride != null ? networkOverride : Path.of(s.get("network").asText()));
        Network.Chain from = net.chain("from", s.get("from").asText());
        try (UserChain src = Network.connect(from, Signer.fromJson(s.get("source_signer")).secretFor(from, "source signer"))) {
            String id = s.get("source_htlc_id").asText();
            TxResult r;
            try {
                r = new Swapper(this::say).refund(src, id);
            } catch (Swapper.RefundNotPossible e) {
                // Only the swapper's own checks (nothing sent) are "cannot refund"; a failed refund transaction is a failure.
                throw new SwapInputException("HASHLOCK: cannot refund: " + e.getMessage()
                        + (s.hasNonNull("refund_tx") ? " (refunded in tx " + s.get("refund_tx").asText() + ")" : ""));
            }
            s.put("status", REFUNDED).put("refund_tx", r.txHash());
            store.save(s);
            say("done: " + Amounts.format(new BigInteger(s.path("amount").asText("0")), s.path("asset_decimals").asInt()) + " "
                    + s.path("asset_symbol").asText() + " back to " + s.path("sender").asText() + " on " + from.id()
                    + " (less the refund's fee)");
            ObjectNode view = s.deepCopy();
            view.remove("secret");
            return view;
        }
    }

    /** A stored swap without its secret (for printing). */
    public static ObjectNode publicView(JsonNode s) {
        ObjectNode v = (ObjectNode) s.deepCopy();
        v.remove("secret");
        return v;
    }

    static List<String> statuses() {
        return List.of(LOCKING, LOCKED, CLAIMED, REFUSED, FAILED, REFUNDED);
    }
}
