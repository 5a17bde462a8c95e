package io.evmore.core.chain;

/**
 * An ICS-20 packet the relayer sent: the chain that sent it, its source channel and its sequence. Text form
 * {@code <chain>:<channel>/<sequence>}, e.g. {@code osmosis-1:channel-0/42}.
 */
public record PacketId(ChainId chain, String channel, long sequence) {
    public PacketId {
        if (chain == null) throw new IllegalArgumentException("packet chain is missing");
        if (channel == null || !channel.matches("channel-[0-9]{1,18}")) {
            throw new IllegalArgumentException("packet channel must look like channel-N, got '" + channel + "'");
        }
        if (sequence <= 0) throw new IllegalArgumentException("packet sequence must be > 0, got " + sequence);
    }

    public String text() {
        return chain.value() + ":" + channel + "/" + sequence;
    }

    /** Reads {@link #text()}; throws IllegalArgumentException naming the bad text. */
    public static PacketId parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        int slash = text == null ? -1 : text.lastIndexOf('/');
        if (colon <= 0 || slash < colon) throw new IllegalArgumentException("packet id '" + text + "' is not <chain>:<channel>/<sequence>");
        try {
            return new PacketId(ChainId.of(text.substring(0, colon)), text.substring(colon + 1, slash),
                    Long.parseLong(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("packet id '" + text + "' has no numeric sequence");
        }
    }

    @Override
    public String toString() {
        return text();
    }
}
