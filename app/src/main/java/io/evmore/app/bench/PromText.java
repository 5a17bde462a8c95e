package io.evmore.app.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Just enough of the Prometheus text format for the bench: samples by name and labels, and histogram quantiles. */
final class PromText {
    record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples = new ArrayList<>();

    PromText(String text) {
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) continue;
            String name;
            Map<String, String> labels = new TreeMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int close = line.lastIndexOf('}');
                String inner = line.substring(brace + 1, close);
                for (String kv : splitLabels(inner)) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) labels.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
                }
                space = line.indexOf(' ', close);
            } else {
                name = line.substring(0, line.indexOf(' '));
                space = line.indexOf(' ');
            }
            String rest = line.substring(space + 1).trim();
            int sp = rest.indexOf(' ');
            if (sp > 0) rest = rest.substring(0, sp); // a timestamp
            try {
                samples.add(new Sample(name, labels, Double.parseDouble(rest)));
            } catch (NumberFormatException e) {
                // +Inf and friends parse; anything else is not ours
            }
        }
    }

    private static List<String> splitLabels(String inner) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(inner.substring(start, i));
                start = i + 1;
            }
        }
        if (start < inner.length()) out.add(inner.substring(start));
        return out;
    }

    List<Sample> samples() {
        return samples;
    }

    /** The sum of every sample of {@code name} whose labels include {@code match} (NaN when there is none). */
    double sum(String name, Map<String, String> match) {
        double total = 0;
        boolean any = false;
        for (Sample s : samples) {
            if (!s.name.equals(name) || !s.labels.entrySet().containsAll(match.entrySet())) continue;
            total += s.value;
            any = true;
        }
        return any ? total : Double.NaN;
    }

    /** Cumulative bucket counts of histogram {@code name} with {@code match}, by upper bound (+Inf last). */
    TreeMap<Double, Double> buckets(String name, Map<String, String> match) {
        TreeMap<Double, Double> out = new TreeMap<>();
        for (Sample s : samples) {
            if (!s.name.equals(name + "_bucket") || !s.labels.entrySet().containsAll(match.entrySet())) continue;
            String le = s.labels.get("le");
            double bound = "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
            out.merge(bound, s.value, Double::sum);
        }
        return out;
    }

    /**
     * A cumulative histogram's observations since an earlier scrape of it: each bucket's count minus the earlier one
     * (counters only grow; a bucket the earlier scrape lacked counts from 0).
     */
    static TreeMap<Double, Double> since(TreeMap<Double, Double> now, TreeMap<Double, Double> earlier) {
        TreeMap<Double, Double> out = new TreeMap<>();
        now.forEach((bound, count) -> out.put(bound, count - earlier.getOrDefault(bound, 0.0)));
        return out;
    }

    /**
     * The q-quantile of a classic histogram, interpolated linearly inside its bucket as Prometheus'
     * histogram_quantile does (the lowest bucket from 0); NaN without observations. An answer in the +Inf bucket is
     * the highest finite bound.
     */
    static double quantile(double q, TreeMap<Double, Double> cumulative) {
        if (cumulative.isEmpty()) return Double.NaN;
        double total = cumulative.lastEntry().getValue();
        if (total <= 0) return Double.NaN;
        double rank = q * total;
        double prevBound = 0;
        double prevCount = 0;
        for (var e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) return prevBound;
                double inBucket = e.getValue() - prevCount;
                if (inBucket <= 0) return e.getKey();
                return prevBound + (e.getKey() - prevBound) * (rank - prevCount) / inBucket;
            }
            prevBound = e.getKey();
            prevCount = e.getValue();
        }
        return prevBound;
    }
}
