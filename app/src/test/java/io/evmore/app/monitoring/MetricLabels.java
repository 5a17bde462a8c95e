package io.evmore.app.monitoring;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the label values of a Prometheus text exposition: they must come from bounded sets (chains, assets and pools
 * from the configuration, states, kinds, statuses), never a swap id, an address, a hash, a URL or any value a user
 * chooses. Addresses are allowed only when they are configured assets (the pair table is bounded); {@code forbidden}
 * adds values known to belong to swaps (ids, hashlocks, lock ids, transaction hashes, user addresses).
 */
public final class MetricLabels {
    /** One label of one sample. */
    public record Label(String metric, String name, String value) {}

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)}\\s+\\S+.*$");
    private static final List<Pattern> UNBOUNDED = List.of(
            Pattern.compile("(?i).*0x[0-9a-f]{40}.*"),                 // an EVM address (or longer: a hash, an id)
            Pattern.compile("(?i).*\\b[0-9a-f]{64}\\b.*"),             // a hashlock, transaction hash, lock id
            Pattern.compile(".*\\b[a-z]{2,12}1[02-9ac-hj-np-z]{30,}.*"), // a bech32 address
            Pattern.compile(".*\\bhtlc_[0-9]+.*"),                   // a CosmWasm lock id
            Pattern.compile(".*/(0x|htlc_).*"),                      // a swap id (chain/lock id)
            Pattern.compile("(?i)^[a-z][a-z0-9+.-]*://.*"));          // a URL (endpoints are named, never their URLs)

    private MetricLabels() {}

    /** Every label of every sample in the exposition. */
    public static List<Label> labels(String exposition) {
        List<Label> out = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#")) continue;
            var m = SAMPLE.matcher(line);
            if (!m.matches()) continue;
            String metric = m.group(1);
            String body = m.group(2);
            int i = 0;
            while (i < body.length()) {
                int eq = body.indexOf('=', i);
                if (eq < 0) break;
                String name = body.substring(i, eq).trim();
                if (name.startsWith(",")) name = name.substring(1).trim();
                int q = eq + 1; // opening quote
                StringBuilder v = new StringBuilder();
                int j = q + 1;
                for (; j < body.length(); j++) {
                    char c = body.charAt(j);
                    if (c == '\\' && j + 1 < body.length()) {
                        char n = body.charAt(++j);
                        v.append(n == 'n' ? '\n' : n);
                    } else if (c == '"') {
                        break;
                    } else {
                        v.append(c);
                    }
                }
                out.add(new Label(metric, name, v.toString()));
                i = j + 1;
            }
        }
        return out;
    }

    /** The labels whose value is unbounded or belongs to a swap, as readable lines (empty: all bounded). */
    public static List<String> violations(String exposition, Set<String> allowed, Collection<String> forbidden) {
        List<String> bad = new ArrayList<>();
        for (Label l : labels(exposition)) {
            String v = l.value();
            if (allowed.contains(v) || allowed.contains(v.toLowerCase())) continue;
            boolean known = forbidden.stream().anyMatch(f -> !f.isBlank() && v.toLowerCase().contains(f.toLowerCase()));
            boolean unbounded = UNBOUNDED.stream().anyMatch(p -> p.matcher(v).matches());
            if (known || unbounded) bad.add(l.metric() + "{" + l.name() + "=\"" + v + "\"}" + (known ? " (a swap's value)" : ""));
        }
        return bad;
    }
}
