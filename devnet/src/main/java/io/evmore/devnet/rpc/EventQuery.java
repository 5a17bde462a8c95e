package io.evmore.devnet.rpc;

import io.evmore.devnet.chain.Event;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CometBFT's event query language (libs/pubsub/query), the subset clients use: {@code key op value} joined by
 * AND, ops = < <= > >= CONTAINS EXISTS, single-quoted strings or bare numbers. Conditions on the same event
 * type must be satisfied by one event, as the 0.38 indexer does.
 */
public final class EventQuery {
    enum Op { EQ, LT, LE, GT, GE, CONTAINS, EXISTS }

    record Condition(String key, Op op, String value) {}

    private static final Pattern COND = Pattern.compile(
            "\\s*([A-Za-z0-9_.\\-/]+)\\s*(?:(EXISTS)|(<=|>=|=|<|>|CONTAINS)\\s*('(?:[^']*)'|[0-9.\\-]+))\\s*");

    private final List<Condition> conditions;
    private final String text;

    private EventQuery(String text, List<Condition> conditions) {
        this.text = text;
        this.conditions = conditions;
    }

    public static EventQuery parse(String query) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("empty query");
        }
        List<Condition> out = new ArrayList<>();
        for (String part : query.split("(?i)\\s+AND\\s+")) {
            Matcher m = COND.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("failed to parse query " + query + ": unexpected condition " + part.trim());
            }
            if (m.group(2) != null) {
                out.add(new Condition(m.group(1), Op.EXISTS, null));
            } else {
                String v = m.group(4);
                if (v.startsWith("'")) {
                    v = v.substring(1, v.length() - 1);
                }
                Op op = switch (m.group(3)) {
                    case "=" -> Op.EQ;
                    case "<" -> Op.LT;
                    case "<=" -> Op.LE;
                    case ">" -> Op.GT;
                    case ">=" -> Op.GE;
                    default -> Op.CONTAINS;
                };
                out.add(new Condition(m.group(1), op, v));
            }
        }
        return new EventQuery(query, List.copyOf(out));
    }

    public String text() {
        return text;
    }

    /** The value of a {@code tx.hash='…'} condition, if any (the indexer short-circuits on it). */
    public String txHash() {
        for (Condition c : conditions) {
            if (c.key().equals("tx.hash") && c.op() == Op.EQ) {
                return c.value();
            }
        }
        return null;
    }

    /**
     * @param fixed    tm.event, tx.hash, tx.height (key → single value)
     * @param events   the tx's or block's events
     */
    public boolean matches(Map<String, String> fixed, List<Event> events) {
        Map<String, List<Condition>> byType = new LinkedHashMap<>();
        for (Condition c : conditions) {
            if (fixed.containsKey(c.key()) || c.key().equals("tm.event") || c.key().startsWith("tx.") || c.key().startsWith("block.")) {
                String v = fixed.get(c.key());
                if (v == null || !test(c, v)) {
                    return false;
                }
                continue;
            }
            int dot = c.key().lastIndexOf('.');
            if (dot <= 0) {
                return false;
            }
            byType.computeIfAbsent(c.key().substring(0, dot), k -> new ArrayList<>()).add(c);
        }
        for (var e : byType.entrySet()) {
            boolean any = false;
            for (Event ev : events) {
                if (ev.type().equals(e.getKey()) && allMatch(ev, e.getKey(), e.getValue())) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean allMatch(Event ev, String type, List<Condition> conds) {
        for (Condition c : conds) {
            String attr = c.key().substring(type.length() + 1);
            boolean ok = false;
            for (Event.Attribute a : ev.attributes()) {
                if (a.key().equals(attr) && test(c, a.value())) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean test(Condition c, String actual) {
        return switch (c.op()) {
            case EXISTS -> true;
            case EQ -> actual.equals(c.value());
            case CONTAINS -> actual.contains(c.value());
            default -> {
                try {
                    int cmp = new BigDecimal(actual).compareTo(new BigDecimal(c.value()));
                    yield switch (c.op()) {
                        case LT -> cmp < 0;
                        case LE -> cmp <= 0;
                        case GT -> cmp > 0;
                        default -> cmp >= 0;
                    };
                } catch (NumberFormatException e) {
                    yield false;
                }
            }
        };
    }
}
