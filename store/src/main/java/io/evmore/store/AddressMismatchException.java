package io.evmore.store;

import io.evmore.core.error.PermanentException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The database belongs to other relayer keys: its swaps, open transactions and funds are those keys'. A process with
 * different signing addresses must not drive them (it would sign nothing valid, or worse, mix two relayers' state).
 */
public final class AddressMismatchException extends PermanentException {
    private final Map<String, String> recorded;
    private final Map<String, String> mine;

    AddressMismatchException(String target, Map<String, String> recorded, Map<String, String> mine) {
        super("relayer keys do not match the database " + target + ": it belongs to " + list(recorded)
                + ", this process signs as " + list(mine) + "; start it with the keys of that relayer, or point it at"
                + " another database");
        this.recorded = Map.copyOf(recorded);
        this.mine = Map.copyOf(mine);
    }

    /** The chains whose address differs: what the database recorded. */
    public Map<String, String> recorded() {
        return recorded;
    }

    /** The chains whose address differs: this process's addresses. */
    public Map<String, String> mine() {
        return mine;
    }

    private static String list(Map<String, String> m) {
        return m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /**
     * Compares this process's addresses with the recorded ones; chains recorded by only one side are not a conflict
     * (a chain added to or removed from the configuration). Ethereum addresses compare without case (checksums).
     *
     * @throws AddressMismatchException naming both sides of every chain that differs
     */
    public static void check(String target, Map<String, String> recorded, Map<String, String> mine) {
        Map<String, String> theirs = new LinkedHashMap<>();
        Map<String, String> ours = new LinkedHashMap<>();
        for (var e : mine.entrySet()) {
            String r = recorded.get(e.getKey());
            if (r != null && !same(r, e.getValue())) {
                theirs.put(e.getKey(), r);
                ours.put(e.getKey(), e.getValue());
            }
        }
        if (!theirs.isEmpty()) throw new AddressMismatchException(target, theirs, ours);
    }

    static boolean same(String a, String b) {
        if (a.startsWith("0x") || a.startsWith("0X")) return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
        return a.equals(b);
    }
}
