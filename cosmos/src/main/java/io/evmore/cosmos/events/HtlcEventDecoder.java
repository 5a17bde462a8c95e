package io.evmore.cosmos.events;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.events.DroppedEvents.Reason;
import io.evmore.cosmos.key.Bech32Address;
import io.evmore.cosmos.rpc.AbciEvent;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decodes the HTLC contract's {@code wasm} events (htlc-contract-api.md) into core events. Only events of the
 * configured contract count; lookalikes from other contracts and malformed events are dropped with a reason.
 */
public final class HtlcEventDecoder {
    static final Pattern HTLC_ID = Pattern.compile("htlc_[1-9][0-9]{0,18}");
    static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    static final Pattern DECIMAL = Pattern.compile("[0-9]{1,78}");
    static final Pattern DENOM = Pattern.compile("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}");
    static final BigInteger MAX_AMOUNT = BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    /** Year 5000: anything later is not a timelock but garbage. */
    static final long MAX_TIMELOCK = 95_617_584_000L;
    private static final Set<String> METHODS = Set.of("create_htlc", "withdraw", "refund");

    private final ChainId chain;
    private final String contract;
    private final String prefix;
    private final DroppedEvents dropped;

    public HtlcEventDecoder(ChainId chain, String contract, String prefix, DroppedEvents dropped) {
        this.chain = chain;
        this.contract = contract;
        this.prefix = prefix;
        this.dropped = dropped;
    }

    private static final class Bad extends Exception {
        final Reason reason;

        Bad(Reason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** Decodes one event; empty if it is not an HTLC event of the configured contract or is invalid. */
    public Optional<ChainEvent> decode(AbciEvent event, ChainEvent.Origin origin) {
        if (!event.type().equals("wasm")) return Optional.empty();
        String method = event.attr("method").orElse(null);
        String addr = event.attr("_contract_address").orElse("");
        if (!addr.equals(contract)) {
            if (method != null && METHODS.contains(method)) {
                dropped.drop(chain, Reason.UNKNOWN_CONTRACT, "HTLC-like event '" + method + "' from contract "
                        + abbreviate(addr), where(origin));
            }
            return Optional.empty();
        }
        // The contract's own instantiation (`wasm` event with method=instantiate): legitimate, not an HTLC event.
        if ("instantiate".equals(method)) return Optional.empty();
        try {
            if (method == null) throw new Bad(Reason.MISSING_ATTRIBUTE, "method");
            return Optional.of(switch (method) {
                case "create_htlc" -> created(event, origin);
                case "withdraw" -> withdrawn(event, origin);
                case "refund" -> new ChainEvent.HtlcRefunded(origin, htlcId(event));
                default -> throw new Bad(Reason.UNKNOWN_METHOD, "method " + abbreviate(method));
            });
        } catch (Bad b) {
            dropped.drop(chain, b.reason, b.getMessage(), where(origin));
            return Optional.empty();
        } catch (RuntimeException e) {
            // A check the domain types make that the decoder did not foresee: still a drop, never a crash.
            dropped.drop(chain, Reason.MALFORMED_ATTRIBUTE, e.getClass().getSimpleName() + ": "
                    + abbreviate(String.valueOf(e.getMessage())), where(origin));
            return Optional.empty();
        }
    }

    private ChainEvent created(AbciEvent e, ChainEvent.Origin origin) throws Bad {
        String id = htlcId(e);
        String sender = address(e, "sender");
        String receiver = address(e, "receiver");
        BigInteger amount = amount(e);
        String denom = one(e, "denom");
        if (!DENOM.matcher(denom).matches()) throw new Bad(Reason.MALFORMED_ATTRIBUTE, "denom " + abbreviate(denom));
        Hashlock hashlock = Hashlock.fromHex(hex64(e, "hashlock"));
        long timelock = timelock(e);
        String targetChain = bounded(e, "target_chain");
        String targetAddress = bounded(e, "target_address");
        return new ChainEvent.HtlcLocked(origin, new HtlcRecord(chain, id, sender, receiver, denom, amount, hashlock,
                timelock, targetChain, targetAddress, HtlcRecord.Status.OPEN), contract);
    }

    private ChainEvent withdrawn(AbciEvent e, ChainEvent.Origin origin) throws Bad {
        String id = htlcId(e);
        Secret secret = Secret.fromHex(hex64(e, "secret"));
        Hashlock hashlock = Hashlock.fromHex(hex64(e, "hashlock"));
        if (!secret.opens(hashlock)) throw new Bad(Reason.BAD_SECRET, "secret of " + id + " does not match its hashlock");
        return new ChainEvent.HtlcClaimed(origin, id, secret);
    }

    private String htlcId(AbciEvent e) throws Bad {
        String id = one(e, "htlc_id");
        if (!HTLC_ID.matcher(id).matches()) throw new Bad(Reason.MALFORMED_ATTRIBUTE, "htlc_id " + abbreviate(id));
        return id;
    }

    private String address(AbciEvent e, String key) throws Bad {
        String a = one(e, key);
        try {
            Bech32Address.parse(a, prefix);
        } catch (IllegalArgumentException ex) {
            throw new Bad(Reason.MALFORMED_ATTRIBUTE, key + " is not a " + prefix + " address: " + abbreviate(a));
        }
        return a;
    }

    private BigInteger amount(AbciEvent e) throws Bad {
        String s = one(e, "amount");
        if (!DECIMAL.matcher(s).matches()) throw new Bad(Reason.MALFORMED_ATTRIBUTE, "amount " + abbreviate(s));
        BigInteger v = new BigInteger(s);
        if (v.signum() <= 0 || v.compareTo(MAX_AMOUNT) > 0) throw new Bad(Reason.ABSURD_VALUE, "amount " + s);
        return v;
    }

    private long timelock(AbciEvent e) throws Bad {
        String s = one(e, "timelock");
        if (!s.matches("[0-9]{1,19}")) throw new Bad(Reason.MALFORMED_ATTRIBUTE, "timelock " + abbreviate(s));
        long v = Long.parseLong(s);
        if (v <= 0 || v > MAX_TIMELOCK) throw new Bad(Reason.ABSURD_VALUE, "timelock " + s);
        return v;
    }

    private String hex64(AbciEvent e, String key) throws Bad {
        String s = one(e, key);
        if (!HEX64.matcher(s).matches()) {
            // Never echo a would-be secret: only its length.
            throw new Bad(key.equals("secret") ? Reason.BAD_SECRET : Reason.MALFORMED_ATTRIBUTE,
                    key + " must be 64 hex characters, got " + s.length() + " characters");
        }
        return s;
    }

    private String bounded(AbciEvent e, String key) throws Bad {
        String s = one(e, key);
        int len = s.getBytes(StandardCharsets.UTF_8).length;
        if (len < 1 || len > 128) throw new Bad(Reason.MALFORMED_ATTRIBUTE, key + " must be 1 to 128 bytes, got " + len);
        return s;
    }

    private static String one(AbciEvent e, String key) throws Bad {
        int n = e.count(key);
        if (n == 0) throw new Bad(Reason.MISSING_ATTRIBUTE, key);
        if (n > 1) throw new Bad(Reason.DUPLICATE_ATTRIBUTE, key + " appears " + n + " times");
        return e.attr(key).orElse("");
    }

    private static String where(ChainEvent.Origin o) {
        return "height " + o.height() + " tx " + o.txHash() + " event " + o.index();
    }

    /** Chain text for a log line: at most 80 chars, control characters (forged log lines) replaced by '?'. */
    static String abbreviate(String s) {
        return io.evmore.cosmos.ChainText.bounded(s, 80);
    }
}
